"""Helpers for tests against the Connect stand-in (payments/connect_standin/)."""

from __future__ import annotations

import itertools
import json
import time
from decimal import Decimal

import requests
from django.conf import settings

from payments import gateway
from payments.payouts import gateway as connect


def api(base: str, method: str, path: str, **kwargs) -> requests.Response:
    headers = {"Authorization": f"Bearer {settings.STRIPE_SECRET_KEY}", **kwargs.pop("headers", {})}
    return requests.request(method, f"{base}{path}", headers=headers, timeout=10, **kwargs)


def onboarded_account(base: str, *, email: str = "coach@example.com", coach_id: int = 1) -> dict:
    """An account that went through the stand-in's onboarding form ("Complete onboarding")."""
    account = connect.account_create(
        email=email, coach_id=coach_id, country="CH", idempotency_key=f"t-acct-{time.time_ns()}"
    )
    complete_onboarding(base, account["id"])
    return connect.account_retrieve(account["id"])


def complete_onboarding(base: str, account_id: str, action: str = "complete") -> requests.Response:
    link = connect.account_link_create(
        account_id=account_id,
        refresh_url="http://127.0.0.1:9/refresh",
        return_url="http://127.0.0.1:9/return",
    )
    return requests.post(link["url"], data={"action": action}, allow_redirects=False, timeout=10)


def succeeded_charge(user, amount: Decimal = Decimal("100.00"), currency: str = "CHF") -> str:
    """A succeeded localstripe charge of ours (what `source_transaction` must name)."""
    return gateway.charge_id_of(succeeded_intent(user, amount, currency))


def succeeded_intent(user, amount: Decimal = Decimal("100.00"), currency: str = "CHF") -> dict:
    """A PaymentIntent paid by card on localstripe (refundable through our services)."""
    from payments.services import customer_ensure
    from payments.tests.stripe_helpers import saved_card

    card = saved_card(user)
    intent = gateway.payment_intent_create(
        amount=amount,
        currency=currency,
        customer_id=customer_ensure(user=user),
        metadata={},
        idempotency_key=f"t-pi-{time.time_ns()}",
    ).raw
    confirmed = gateway.payment_intent_confirm_with(
        payment_intent_id=intent["id"], payment_method_id=card, idempotency_key=f"t-{intent['id']}"
    ).raw
    assert confirmed["status"] == "succeeded"
    return confirmed


def connect_events(base: str, event_type: str = "") -> list[dict]:
    response = requests.get(
        f"{base}/_config/connect/events", params={"type": event_type} if event_type else {}
    )
    return response.json()["data"]


def set_faults(base: str, **faults) -> None:
    requests.post(f"{base}/_config/connect/faults", data=json.dumps(faults), timeout=5)


def drain_balance(base: str, account_id: str) -> None:
    """The coach's Stripe balance went to their bank (automatic payout)."""
    requests.post(f"{base}/_config/connect/accounts/{account_id}/payout", timeout=5)


def account_balance(base: str, account_id: str, currency: str = "chf") -> int:
    data = requests.get(f"{base}/_config/connect/accounts/{account_id}/balance", timeout=5).json()
    return sum(b["amount"] for b in data["available"] if b["currency"] == currency)


_SESSION_SLOT = itertools.count()


def ready_coach(base: str, **coach_kwargs):
    """A coach onboarded on the stand-in (a real stand-in account, ready)."""
    from accounts.tests.factories import CoachFactory
    from payments.payouts.connect import connect_account_ensure, connect_account_sync

    coach = CoachFactory(stripe_account_id="", **coach_kwargs)
    account = connect_account_ensure(coach=coach)
    complete_onboarding(base, account.stripe_account_id)
    connect_account_sync(coach=coach)
    coach.refresh_from_db()
    return coach


def delivered_session(coach, *, ended_hours_ago: float = 1, total=Decimal("150.00"), client=None):
    """A completed, paid 1:1 session (a real succeeded localstripe charge) that ended
    `ended_hours_ago` hours ago. Returns the Payment."""
    import datetime as dt

    from django.utils import timezone

    from accounts.tests.factories import UserFactory
    from bookings.models import Booking
    from bookings.tests.factories import BookingFactory
    from payments.models import Payment
    from payments.money import quantize

    client = client or UserFactory()
    # Each session its own time: a coach's sessions may not overlap (exclusion constraint).
    end = timezone.now() - dt.timedelta(hours=ended_hours_ago, minutes=90 * next(_SESSION_SLOT))
    vat = quantize(total * Decimal("8.1") / Decimal("108.1"), "CHF")
    net = total - vat
    fee = quantize(net * Decimal("0.15"), "CHF")
    intent = succeeded_intent(client, total)
    payment = Payment.objects.create(
        payer=client,
        coach=coach,
        purpose=Payment.Purpose.SESSION_BOOKING,
        status=Payment.Status.COMPLETED,
        currency="CHF",
        amount_total=total,
        amount_net=net,
        vat_rate=Decimal("8.1"),
        vat_amount=vat,
        platform_fee=fee,
        coach_share=net - fee,
        stripe_payment_intent_id=intent["id"],
        stripe_charge_id=gateway.charge_id_of(intent),
        completed_at=timezone.now(),
    )
    booking = BookingFactory(
        coach=coach,
        client=client,
        start=end - dt.timedelta(hours=1),
        end=end,
        status=Booking.Status.COMPLETED,
        amount_total=total,
        payment=payment,
    )
    Payment.objects.filter(pk=payment.pk).update(transfer_group=f"booking_{booking.pk}")
    payment.refresh_from_db()
    return payment


def transfers_at_stripe(base: str, **filters) -> list[dict]:
    found, params = [], {"limit": 100, **filters}
    while True:
        page = api(base, "GET", "/v1/transfers", params=params).json()
        found.extend(page["data"])
        if not page["has_more"]:
            return found
        params["starting_after"] = page["data"][-1]["id"]
