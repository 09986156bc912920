"""Issue 15 #5 under real concurrency: the client withdraws a request at the instant the coach
accepts it. Exactly one wins: either confirmed and captured (the withdrawal refused), or
withdrawn with the authorization cancelled at Stripe (the accept refused, nothing captured),
and never a confirmed booking whose money was released nor a withdrawn one that was charged.

Real threads on PostgreSQL (one connection each), localstripe for the money. The control runs
the two actions one after the other, in both orders, and must end in the same two outcomes.
"""

from __future__ import annotations

import pytest

from bookings.errors import InvalidTransition
from bookings.models import Booking
from bookings.services import transitions
from bookings.tests.test_withdraw import _intent_status, _slots, authorized_request
from notifications.models import Notification
from payments.models import Payment
from tests.concurrency import race

pytestmark = [pytest.mark.realservices, pytest.mark.django_db(transaction=True)]
BookingStatus = Booking.Status


@pytest.fixture(autouse=True)
def _tasks_in_process():
    from config.celery import app

    app.conf.task_always_eager = True  # the project's autouse fixture restores it


def _accept_and_withdraw(coach, client, booking):
    def act(i: int):
        if i == 0:
            return transitions.booking_accept(user=coach.user, booking_id=booking.pk)
        return transitions.booking_withdraw(user=client, booking_id=booking.pk)

    return act


def _one_outcome(coach, client, booking, day, results) -> str:
    accept_result, withdraw_result = results
    booking.refresh_from_db()
    payment = Payment.objects.get(pk=booking.payment_id)
    coach_types = set(
        Notification.objects.filter(recipient=coach.user).values_list("type", flat=True)
    )
    client_types = set(Notification.objects.filter(recipient=client).values_list("type", flat=True))
    if isinstance(withdraw_result, InvalidTransition):
        assert not isinstance(accept_result, Exception), accept_result
        assert booking.status == BookingStatus.CONFIRMED
        assert payment.status == Payment.Status.COMPLETED
        assert _intent_status(booking) == "succeeded"
        assert "booking_withdrawn" not in coach_types
        return "accepted"
    assert isinstance(accept_result, InvalidTransition), accept_result
    assert not isinstance(withdraw_result, Exception), withdraw_result
    assert booking.status == BookingStatus.WITHDRAWN
    assert payment.status == Payment.Status.CANCELLED and payment.amount_refunded == 0
    assert _intent_status(booking) == "canceled"
    assert "booking_withdrawn" in coach_types and "booking_accepted" not in client_types
    assert _slots(coach)[0][1] > booking.start  # the requested hour is free again
    return "withdrawn"


def test_withdraw_racing_the_coachs_accept_has_exactly_one_outcome(localstripe):
    for _ in range(4):  # each round must end in one consistent outcome, whichever wins
        coach, client, booking, day = authorized_request()
        results = race(2, _accept_and_withdraw(coach, client, booking))
        _one_outcome(coach, client, booking, day, results)


@pytest.mark.parametrize("order", [(0, 1), (1, 0)], ids=["accept-first", "withdraw-first"])
def test_control_one_after_the_other_gives_the_same_outcomes(localstripe, order):
    coach, client, booking, day = authorized_request()
    act = _accept_and_withdraw(coach, client, booking)
    results = [None, None]
    for index in order:
        try:
            results[index] = act(index)
        except InvalidTransition as exc:
            results[index] = exc
    expected = "accepted" if order[0] == 0 else "withdrawn"
    assert _one_outcome(coach, client, booking, day, results) == expected
