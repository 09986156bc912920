import datetime as dt

import pytest

from bookings.models import Booking
from bookings.reminders import SessionReminders
from bookings.tests.factories import BookingFactory, at, future_weekday

pytestmark = pytest.mark.django_db


def test_confirmed_sessions_remind_client_and_coach_only_inside_the_window():
    day = future_weekday(0)
    booking = BookingFactory(start=at(day, 10), end=at(day, 11))
    BookingFactory(
        coach=booking.coach,
        session_type=booking.session_type,
        start=at(day, 12),
        end=at(day, 13),
        status=Booking.Status.REQUESTED,
    )
    due = list(SessionReminders().upcoming(start_after=at(day, 9), start_until=at(day, 11)))
    assert {(d.object_id, d.recipient.pk) for d in due} == {
        (booking.pk, booking.client_id),
        (booking.pk, booking.coach.user_id),
    }
    assert (
        list(
            SessionReminders().upcoming(
                start_after=at(day, 10), start_until=at(day, 10) + dt.timedelta(hours=1)
            )
        )
        == []
    )
