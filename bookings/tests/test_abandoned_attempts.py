"""An abandoned payment step never keeps the client from their own time (issue 8, item 4):
trying again for the same (or an overlapping) time releases the client's earlier unpaid
attempt and cancels its intent at Stripe (localstripe), instead of answering "This time
overlaps another session". Another client's unpaid hold still protects the time."""

import pytest

from accounts.tests.factories import UserFactory
from bookings.errors import SlotUnavailable
from bookings.models import Booking
from bookings.services.booking_create import booking_create
from bookings.tests.factories import AvailabilitySlotFactory, at, coach_with_offer, future_weekday
from payments import gateway

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer():
    coach, session_type = coach_with_offer()
    day = future_weekday(1, weeks_ahead=3)
    AvailabilitySlotFactory(coach=coach, start=at(day, 9), end=at(day, 17), instant_booking=False)
    return coach, session_type, day


def _book(client, offer, hour, minute=0, message=""):
    coach, session_type, day = offer
    return booking_create(
        client=client,
        coach_id=coach.pk,
        session_type_id=session_type.pk,
        start=at(day, hour, minute),
        duration=60,
        message=message,
    )


def test_trying_again_releases_the_clients_own_unpaid_attempt(
    localstripe, offer, django_capture_on_commit_callbacks
):
    client = UserFactory()
    first = _book(client, offer, 14, message="Hello")

    with django_capture_on_commit_callbacks(execute=True):
        second = _book(client, offer, 14, 30, message="Hello")

    first.booking.refresh_from_db()
    assert first.booking.status == Booking.Status.EXPIRED
    assert second.booking.status == Booking.Status.PAYMENT_PENDING
    intent = gateway.payment_intent_retrieve(first.payment.stripe_payment_intent_id).raw
    assert intent["status"] == "canceled"
    assert Booking.objects.filter(client=client, status="payment_pending").count() == 1


def test_another_clients_unpaid_hold_still_protects_the_time(localstripe, offer):
    _book(UserFactory(), offer, 14)

    with pytest.raises(SlotUnavailable):
        _book(UserFactory(), offer, 14)


def test_an_unpaid_attempt_at_another_time_is_kept(localstripe, offer):
    client = UserFactory()
    first = _book(client, offer, 10)

    _book(client, offer, 14)

    first.booking.refresh_from_db()
    assert first.booking.status == Booking.Status.PAYMENT_PENDING
