"""Creating a booking: every bad input gives a clear error and writes nothing; the good path
reserves the time, prices it on the server and picks FIRM or REQUEST by the rules."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Block, Coach, Connection
from accounts.tests.factories import UserFactory
from bookings.errors import (
    InvalidDiscountCode,
    InvalidTime,
    LimitReached,
    NotAllowed,
    SlotUnavailable,
    TooManyUnpaidBookings,
)
from bookings.models import AvailabilitySlot, Booking
from bookings.services.booking_create import booking_create
from bookings.tests.factories import (
    AvailabilitySlotFactory,
    BookingFactory,
    DiscountCodeFactory,
    at,
    coach_with_offer,
    future_weekday,
)
from notifications.models import Notification

pytestmark = pytest.mark.django_db
DAY = None


@pytest.fixture
def offer():
    """A free-of-charge coach (rate 0) so that no Stripe call is needed, with Monday 09-17
    instant availability two weeks ahead."""
    coach, session_type = coach_with_offer()
    Coach.objects.filter(pk=coach.pk).update(hourly_rate=0)
    coach.refresh_from_db()
    day = future_weekday(0)
    AvailabilitySlotFactory(coach=coach, start=at(day, 9), end=at(day, 17), instant_booking=True)
    return coach, session_type, day


def _book(client, coach, session_type, start, duration=60, **kwargs):
    return booking_create(
        client=client,
        coach_id=coach.pk,
        session_type_id=session_type.pk,
        start=start,
        duration=duration,
        **kwargs,
    )


def _untouched(coach, day):
    assert not Booking.objects.filter(coach=coach).exists()
    assert [(s.start, s.end) for s in AvailabilitySlot.objects.filter(coach=coach)] == [
        (at(day, 9), at(day, 17))
    ]


def test_booking_splits_the_availability_and_confirms_a_free_firm_booking(offer):
    coach, session_type, day = offer
    client = UserFactory()
    started = _book(client, coach, session_type, at(day, 11))
    booking = started.booking
    assert booking.status == Booking.Status.CONFIRMED and booking.booking_type == Booking.Type.FIRM
    assert started.payment is None and started.as_json()["amount"] == "0.00"
    assert [
        (s.start, s.end) for s in AvailabilitySlot.objects.filter(coach=coach).order_by("start")
    ] == [(at(day, 9), at(day, 11)), (at(day, 12), at(day, 17))]
    assert set(
        Notification.objects.filter(type="booking_confirmed").values_list("recipient_id", flat=True)
    ) == {client.pk, coach.user_id}


def test_generic_title_is_replaced_by_the_session_type_name(offer):
    coach, session_type, day = offer
    booking = _book(UserFactory(), coach, session_type, at(day, 11), title="Availability").booking
    assert booking.title == session_type.name


def test_a_time_in_the_past_is_refused(offer):
    coach, session_type, day = offer
    with pytest.raises(InvalidTime, match="past"):
        _book(UserFactory(), coach, session_type, timezone.now() - dt.timedelta(hours=1))
    _untouched(coach, day)


def test_a_time_outside_availability_is_refused(offer):
    coach, session_type, day = offer
    with pytest.raises(InvalidTime, match="not available"):
        _book(UserFactory(), coach, session_type, at(day, 16, 30))
    _untouched(coach, day)


def test_an_overlapping_time_is_refused_with_409(offer):
    coach, session_type, day = offer
    _book(UserFactory(), coach, session_type, at(day, 10))
    with pytest.raises(SlotUnavailable) as caught:
        _book(UserFactory(), coach, session_type, at(day, 10, 30))
    assert caught.value.status_code == 409
    assert Booking.objects.filter(coach=coach).count() == 1


def test_the_buffer_after_a_session_is_kept_free(offer):
    coach, session_type, day = offer
    session_type.buffer_after_minutes = 15
    session_type.save()
    _book(UserFactory(), coach, session_type, at(day, 10))
    with pytest.raises(SlotUnavailable):
        _book(UserFactory(), coach, session_type, at(day, 11))
    assert _book(UserFactory(), coach, session_type, at(day, 11, 15)).booking.pk


def test_a_start_off_the_quarter_hour_grid_is_refused(offer):
    coach, session_type, day = offer
    with pytest.raises(InvalidTime, match="quarter hour"):
        _book(UserFactory(), coach, session_type, at(day, 10, 10))
    _untouched(coach, day)


@pytest.mark.parametrize("duration", [15, 135])
def test_a_duration_outside_the_types_range_is_refused(offer, duration):
    coach, session_type, day = offer
    with pytest.raises(InvalidTime, match="between 30 and 120"):
        _book(UserFactory(), coach, session_type, at(day, 10), duration=duration)
    _untouched(coach, day)


def test_a_duration_off_the_step_is_refused(offer):
    coach, session_type, day = offer
    session_type.duration_step = 30
    session_type.save()
    with pytest.raises(InvalidTime, match="steps of 30"):
        _book(UserFactory(), coach, session_type, at(day, 10), duration=45)


def test_over_the_daily_maximum_is_refused(offer):
    coach, session_type, day = offer
    session_type.max_sessions_per_day = 1
    session_type.save()
    _book(UserFactory(), coach, session_type, at(day, 9))
    with pytest.raises(LimitReached, match="a day"):
        _book(UserFactory(), coach, session_type, at(day, 14))


def test_over_the_weekly_maximum_is_refused(offer):
    coach, session_type, day = offer
    session_type.max_sessions_per_week = 1
    session_type.save()
    tuesday = day + dt.timedelta(days=1)
    AvailabilitySlotFactory(coach=coach, start=at(tuesday, 9), end=at(tuesday, 12))
    _book(UserFactory(), coach, session_type, at(day, 9))
    with pytest.raises(LimitReached, match="a week"):
        _book(UserFactory(), coach, session_type, at(tuesday, 9))


def test_inside_the_minimum_notice_is_refused():
    coach, session_type = coach_with_offer(min_notice_hours=48)
    soon = timezone.now() + dt.timedelta(hours=30)
    start = soon.replace(minute=0, second=0, microsecond=0)
    AvailabilitySlotFactory(
        coach=coach, start=start - dt.timedelta(hours=2), end=start + dt.timedelta(hours=4)
    )
    with pytest.raises(InvalidTime, match="48 hours in advance"):
        _book(UserFactory(), coach, session_type, start)
    assert not Booking.objects.exists()


def test_a_blocked_client_cannot_book(offer):
    coach, session_type, day = offer
    client = UserFactory()
    Block.objects.create(blocker=coach.user, blocked=client)
    with pytest.raises(NotAllowed) as caught:
        _book(client, coach, session_type, at(day, 10))
    assert caught.value.status_code == 403
    _untouched(coach, day)


def test_a_client_who_blocked_the_coach_cannot_book_either(offer):
    coach, session_type, day = offer
    client = UserFactory()
    Block.objects.create(blocker=client, blocked=coach.user)
    with pytest.raises(NotAllowed):
        _book(client, coach, session_type, at(day, 10))


def test_a_not_connected_client_cannot_book_a_connected_only_calendar(offer):
    coach, session_type, day = offer
    Coach.objects.filter(pk=coach.pk).update(calendar_visibility=Coach.CalendarVisibility.CONNECTED)
    client = UserFactory()
    with pytest.raises(NotAllowed, match="connected clients only"):
        _book(client, coach, session_type, at(day, 10))
    Connection.objects.create(
        client=client, coach=coach, requested_by=client, status=Connection.Status.ACCEPTED
    )
    assert _book(client, coach, session_type, at(day, 10)).booking.pk


def test_nobody_can_book_a_private_calendar(offer):
    coach, session_type, day = offer
    Coach.objects.filter(pk=coach.pk).update(calendar_visibility=Coach.CalendarVisibility.PRIVATE)
    with pytest.raises(NotAllowed, match="private"):
        _book(UserFactory(), coach, session_type, at(day, 10))
    _untouched(coach, day)


def test_a_coach_cannot_book_themselves(offer):
    coach, session_type, day = offer
    with pytest.raises(NotAllowed):
        _book(coach.user, coach, session_type, at(day, 10))


@pytest.mark.parametrize(
    "code_kwargs,code,message",
    [
        ({}, "NOPE", "does not exist"),
        ({"valid_until": timezone.now() - dt.timedelta(days=1)}, "WELCOME10", "expired"),
        ({"valid_from": timezone.now() + dt.timedelta(days=1)}, "WELCOME10", "not valid yet"),
        ({"is_active": False}, "WELCOME10", "does not exist"),
    ],
    ids=["unknown", "expired", "not-yet-valid", "inactive"],
)
def test_an_unusable_discount_code_is_refused_and_nothing_is_booked(
    offer, code_kwargs, code, message
):
    coach, session_type, day = offer
    DiscountCodeFactory(coach=coach, **code_kwargs)
    with pytest.raises(InvalidDiscountCode, match=message):
        _book(UserFactory(), coach, session_type, at(day, 10), code=code)
    _untouched(coach, day)


def test_a_used_up_discount_code_is_refused(offer):
    coach, session_type, day = offer
    Coach.objects.filter(pk=coach.pk).update(hourly_rate=Decimal("150"))
    code = DiscountCodeFactory(coach=coach, max_uses=1)
    BookingFactory(
        coach=coach,
        session_type=session_type,
        discount_code=code,
        start=at(day, 9),
        end=at(day, 10),
    )
    with pytest.raises(InvalidDiscountCode, match="used up"):
        _book(UserFactory(), coach, session_type, at(day, 13), code="welcome10")
    assert Booking.objects.filter(coach=coach).count() == 1


def test_another_coachs_code_does_not_exist_here(offer):
    coach, session_type, day = offer
    DiscountCodeFactory(code="OTHERS")
    with pytest.raises(InvalidDiscountCode):
        _book(UserFactory(), coach, session_type, at(day, 10), code="OTHERS")


def test_at_most_three_unpaid_future_bookings(offer):
    coach, session_type, day = offer
    client = UserFactory()
    for hour in (9, 10, 11):
        BookingFactory(
            coach=coach,
            session_type=session_type,
            client=client,
            start=at(day + dt.timedelta(days=1), hour),
            end=at(day + dt.timedelta(days=1), hour) + dt.timedelta(hours=1),
            status=Booking.Status.REQUESTED,
        )
    with pytest.raises(TooManyUnpaidBookings) as caught:
        _book(client, coach, session_type, at(day, 13))
    assert caught.value.code == "TOO_MANY_UNPAID_BOOKINGS"


class TestFirmOrRequest:
    def test_instant_slot_far_enough_ahead_is_firm(self, offer):
        coach, session_type, day = offer
        assert _book(UserFactory(), coach, session_type, at(day, 10)).booking.booking_type == "FIRM"

    def test_slot_not_flagged_instant_is_a_request(self, offer):
        coach, session_type, day = offer
        AvailabilitySlot.objects.filter(coach=coach).update(instant_booking=False)
        booking = _book(UserFactory(), coach, session_type, at(day, 10)).booking
        assert booking.booking_type == "REQUEST" and booking.status == Booking.Status.REQUESTED
        assert booking.request_expires_at is not None

    def test_inside_the_firm_threshold_is_a_request(self, offer):
        coach, session_type, day = offer
        session_type.firm_booking_threshold_hours = 24 * 30
        session_type.save()
        assert (
            _book(UserFactory(), coach, session_type, at(day, 10)).booking.booking_type == "REQUEST"
        )

    def test_non_connected_client_sends_a_request_when_approval_is_required(self, offer):
        coach, session_type, day = offer
        session_type.require_approval_non_connected = True
        session_type.save()
        client = UserFactory()
        assert _book(client, coach, session_type, at(day, 10)).booking.booking_type == "REQUEST"
        Connection.objects.create(
            client=client, coach=coach, requested_by=client, status=Connection.Status.ACCEPTED
        )
        assert _book(client, coach, session_type, at(day, 12)).booking.booking_type == "FIRM"
