"""Issue 8 item 2: the coach accepts a REQUEST while the client cancels it, in the 50% tier.

Real threads on PostgreSQL (one connection each), localstripe for the money. Refunds are
asserted at localstripe: it would accept a refund of the whole charge (the bug refunded 100%).
The control runs the same two actions one after the other and must end the same way.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import requests
from django.conf import settings

from accounts.tests.factories import UserFactory
from bookings.errors import InvalidTransition
from bookings.models import Booking
from bookings.services import transitions
from bookings.services.booking_create import booking_create
from bookings.tests.factories import AvailabilitySlotFactory, at, coach_with_offer, future_weekday
from notifications.models import Notification
from payments import gateway
from payments.models import Payment
from payments.services import payment_confirm
from payments.tests.stripe_helpers import saved_card
from tests.concurrency import race

pytestmark = [pytest.mark.realservices, pytest.mark.django_db(transaction=True)]
BookingStatus = Booking.Status
PRICE = Decimal("150.00")
HALF = Decimal("75.00")


@pytest.fixture(autouse=True)
def _tasks_in_process():
    """`realservices` (PostgreSQL) turns eager Celery off; no worker runs here, so the refund
    and notification tasks run in-process, in the thread that queued them after commit."""
    from config.celery import app

    app.conf.task_always_eager = True  # the project's autouse fixture restores it


def _authorized_request():
    """A REQUEST for 60 min (CHF 150) with the card authorized, waiting for the coach."""
    coach, session_type = coach_with_offer()
    day = future_weekday(2, weeks_ahead=3)
    AvailabilitySlotFactory(coach=coach, start=at(day, 9), end=at(day, 17), instant_booking=False)
    client = UserFactory()
    started = booking_create(
        client=client,
        coach_id=coach.pk,
        session_type_id=session_type.pk,
        start=at(day, 10),
        duration=60,
    )
    assert started.booking.booking_type == Booking.Type.REQUEST
    payment_confirm(
        user=client,
        payment_intent_id=started.payment.stripe_payment_intent_id,
        payment_method_id=saved_card(client),
    )
    booking = Booking.objects.get(pk=started.booking.pk)
    assert booking.status == BookingStatus.REQUESTED
    return coach, client, booking


def _refunds_at_stripe(localstripe, payment_intent_id: str) -> list[int]:
    charge_id = gateway.charge_id_of(gateway.payment_intent_retrieve(payment_intent_id).raw)
    response = requests.get(
        f"{localstripe['base']}/v1/refunds",
        headers={"Authorization": f"Bearer {settings.STRIPE_SECRET_KEY}"},
        timeout=5,
    )
    response.raise_for_status()
    return [r["amount"] for r in response.json()["data"] if r.get("charge") == charge_id]


def _client_types(client) -> list[str]:
    return list(
        Notification.objects.filter(recipient=client).order_by("pk").values_list("type", flat=True)
    )


def _assert_one_outcome(localstripe, coach, client, booking, results):
    accept_result, cancel_result = results
    assert not isinstance(accept_result, Exception), accept_result
    booking.refresh_from_db()
    payment = Payment.objects.get(pk=booking.payment_id)
    intent_id = payment.stripe_payment_intent_id
    types = _client_types(client)
    if isinstance(cancel_result, InvalidTransition):
        # The cancel came first and found a request (nothing to cancel yet): accepted, paid.
        assert booking.status == BookingStatus.CONFIRMED
        assert payment.status == Payment.Status.COMPLETED
        assert _refunds_at_stripe(localstripe, intent_id) == []
        return "accepted"
    assert not isinstance(cancel_result, Exception), cancel_result
    assert cancel_result.refund.amount == HALF  # what the client was promised
    assert booking.status == BookingStatus.CANCELLED_BY_CLIENT
    assert booking.refund_amount == HALF
    assert _refunds_at_stripe(localstripe, intent_id) == [7500]
    assert payment.amount_refunded == HALF
    assert payment.status == Payment.Status.PARTIALLY_REFUNDED
    # In the order things happened: never "accepted" after "cancelled".
    cancelled_at = types.index("booking_cancelled_by_client")
    assert "booking_accepted" not in types[cancelled_at:], types
    return "cancelled"


def _accept_and_cancel(coach, client, booking):
    start = booking.start
    now_for_cancel = start - dt.timedelta(hours=36)  # between 24 h and 48 h: 50 %

    def act(i: int):
        if i == 0:
            return transitions.booking_accept(user=coach.user, booking_id=booking.pk)
        return transitions.booking_cancel(
            user=client, booking_id=booking.pk, reason="plans changed", now=now_for_cancel
        )

    return act


def test_accept_racing_a_client_cancel_refunds_the_policy_amount_once(localstripe):
    # Which thread gets there first is up to the scheduler: race until the interleaving the
    # bug needed (cancel after the accept began) has happened, checking every round's outcome.
    outcomes = []
    while "cancelled" not in outcomes and len(outcomes) < 12:
        coach, client, booking = _authorized_request()
        results = race(2, _accept_and_cancel(coach, client, booking))
        outcomes.append(_assert_one_outcome(localstripe, coach, client, booking, results))
    assert "cancelled" in outcomes, outcomes


def test_control_accept_then_cancel_one_after_the_other_refunds_the_policy_amount(localstripe):
    coach, client, booking = _authorized_request()
    act = _accept_and_cancel(coach, client, booking)
    results = [act(0), act(1)]
    assert _assert_one_outcome(localstripe, coach, client, booking, results) == "cancelled"
    types = _client_types(client)
    assert types.index("booking_accepted") < types.index("booking_cancelled_by_client")


# --- item 6: the payment is attached under the lock, with the status re-checked -------------


def test_a_booking_released_while_stripe_opens_its_payment_gets_no_payment(
    localstripe, monkeypatch
):
    """The client cancels the payment step (another tab) while we wait for Stripe: the
    release commits from another connection before we attach. The payment must not be
    attached to the released booking, and its intent is cancelled at Stripe."""
    import threading

    from bookings.errors import BookingError
    from bookings.services import booking_create as module

    coach, session_type = coach_with_offer()
    day = future_weekday(2, weeks_ahead=3)
    AvailabilitySlotFactory(coach=coach, start=at(day, 9), end=at(day, 17), instant_booking=True)
    client = UserFactory()
    real_open = module._open_payment
    opened = {}

    def open_then_release_elsewhere(booking):
        payment = real_open(booking)
        opened["intent"] = payment.stripe_payment_intent_id

        def release():
            from django.db import connections

            try:
                module.booking_release_unpaid(
                    booking_id=booking.pk,
                    reason="client cancelled",
                    status=BookingStatus.CANCELLED_BY_CLIENT,
                )
            finally:
                connections.close_all()

        thread = threading.Thread(target=release)
        thread.start()
        thread.join(timeout=30)
        return payment

    monkeypatch.setattr(module, "_open_payment", open_then_release_elsewhere)
    with pytest.raises(BookingError):
        booking_create(
            client=client,
            coach_id=coach.pk,
            session_type_id=session_type.pk,
            start=at(day, 10),
            duration=60,
        )
    booking = Booking.objects.get(client=client)
    assert booking.status == BookingStatus.CANCELLED_BY_CLIENT
    assert booking.payment_id is None
    assert gateway.payment_intent_retrieve(opened["intent"]).status == "canceled"
