"""Helpers for tests against the Connect stand-in (payments/connect_standin/)."""

from __future__ import annotations

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
    from payments.services import customer_ensure
    from payments.tests.stripe_helpers import saved_card

    card = saved_card(user)
    intent = gateway.payment_intent_create(
        amount=amount,
        currency=currency,
        customer_id=customer_ensure(user=user),
        metadata={},
        idempotency_key=f"t-pi-{time.time_ns()}",
    )
    confirmed = gateway.payment_intent_confirm_with(
        payment_intent_id=intent["id"], payment_method_id=card, idempotency_key=f"t-{intent['id']}"
    )
    assert confirmed["status"] == "succeeded"
    return gateway.charge_id_of(confirmed)


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
