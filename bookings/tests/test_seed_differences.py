"""The one deliberate difference from seed 002 (docs/seed-differences.md): a client may still
cancel a confirmed session inside 24 hours, with no refund, and the coach's time is freed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accounts.tests.factories import CoachFactory, UserFactory
from bookings.models import Booking
from bookings.services import transitions
from bookings.services.booking_create import booking_create
from bookings.tests.factories import (
    AvailabilitySlotFactory,
    SessionTypeFactory,
    at,
    future_weekday,
)

pytestmark = pytest.mark.django_db


def test_client_cancels_inside_24_hours_gets_nothing_back_and_frees_the_time():
    coach = CoachFactory(hourly_rate=Decimal("0"))
    session_type = SessionTypeFactory(coach=coach)
    day = future_weekday(1, weeks_ahead=3)
    AvailabilitySlotFactory(coach=coach, start=at(day, 9), end=at(day, 17), instant_booking=True)
    client = UserFactory()
    booking = booking_create(
        client=client,
        coach_id=coach.pk,
        session_type_id=session_type.pk,
        start=at(day, 10),
        duration=60,
    ).booking
    assert booking.status == Booking.Status.CONFIRMED
    preview = transitions.booking_cancel(
        user=client, booking_id=booking.pk, now=booking.start - dt.timedelta(hours=10)
    )
    assert preview.refund.percent == 0 and preview.refund.amount == Decimal("0")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED_BY_CLIENT
    # The time is bookable again for someone else.
    again = booking_create(
        client=UserFactory(),
        coach_id=coach.pk,
        session_type_id=session_type.pk,
        start=at(day, 10),
        duration=60,
    ).booking
    assert again.status == Booking.Status.CONFIRMED
