"""The state machine without money (a coach whose rate is 0): accept, decline, suggest, pick,
cancel, reschedule, expire, complete; and the errors for wrong people and wrong states."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Coach
from accounts.tests.factories import UserFactory
from bookings.errors import (
    InvalidTime,
    InvalidTransition,
    NotAllowed,
    PriceChanged,
    SlotUnavailable,
)
from bookings.models import AvailabilitySlot, Booking
from bookings.policy import cancellation_refund
from bookings.services import transitions
from bookings.services.booking_create import booking_create
from bookings.tests.factories import (
    AvailabilitySlotFactory,
    TimeBasedRateFactory,
    at,
    coach_with_offer,
    future_weekday,
)
from notifications.models import Notification

pytestmark = pytest.mark.django_db
BookingStatus = Booking.Status


@pytest.fixture
def setup():
    coach, session_type = coach_with_offer()
    Coach.objects.filter(pk=coach.pk).update(hourly_rate=0)
    coach.refresh_from_db()
    day = future_weekday(0)
    AvailabilitySlotFactory(coach=coach, start=at(day, 9), end=at(day, 17), instant_booking=False)
    client = UserFactory()
    return coach, session_type, day, client


def _request(setup, hour=10, client=None):
    coach, session_type, day, default_client = setup
    return booking_create(
        client=client or default_client,
        coach_id=coach.pk,
        session_type_id=session_type.pk,
        start=at(day, hour),
        duration=60,
    ).booking


def _slots(coach):
    return [
        (s.start, s.end) for s in AvailabilitySlot.objects.filter(coach=coach).order_by("start")
    ]


def test_accept_confirms_and_tells_the_client(setup):
    coach, _, _, client = setup
    booking = _request(setup)
    assert booking.status == BookingStatus.REQUESTED
    assert Notification.objects.filter(recipient=coach.user, type="booking_requested").exists()
    transitions.booking_accept(user=coach.user, booking_id=booking.pk, message="See you then")
    booking.refresh_from_db()
    assert (
        booking.status == BookingStatus.CONFIRMED
        and booking.confirmed_at
        and booking.coach_message == "See you then"
    )
    assert Notification.objects.filter(recipient=client, type="booking_accepted").exists()


def test_accepting_twice_is_a_409(setup):
    coach, *_ = setup
    booking = _request(setup)
    transitions.booking_accept(user=coach.user, booking_id=booking.pk)
    with pytest.raises(InvalidTransition) as caught:
        transitions.booking_accept(user=coach.user, booking_id=booking.pk)
    assert caught.value.status_code == 409


def test_accepting_someone_elses_request_is_forbidden(setup):
    booking = _request(setup)
    other_coach, _ = coach_with_offer()
    with pytest.raises(NotAllowed):
        transitions.booking_accept(user=other_coach.user, booking_id=booking.pk)
    with pytest.raises(NotAllowed):
        transitions.booking_accept(user=booking.client, booking_id=booking.pk)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.REQUESTED


def test_decline_restores_the_time_and_tells_the_client_why(setup):
    coach, _, day, client = setup
    booking = _request(setup)
    assert _slots(coach) == [(at(day, 9), at(day, 10)), (at(day, 11), at(day, 17))]
    transitions.booking_decline(user=coach.user, booking_id=booking.pk, message="Away that day")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.DECLINED
    assert _slots(coach) == [(at(day, 9), at(day, 17))]
    note = Notification.objects.get(recipient=client, type="booking_declined")
    assert "Away that day" in note.body


def test_suggest_frees_the_requested_time_and_the_client_picks_one(setup):
    coach, _, day, client = setup
    booking = _request(setup)
    tuesday = day + dt.timedelta(days=1)
    transitions.booking_suggest(
        user=coach.user, booking_id=booking.pk, starts=[at(tuesday, 14), at(tuesday, 16)]
    )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.TIME_SUGGESTED
    assert _slots(coach) == [(at(day, 9), at(day, 17))]  # the requested time is free again
    assert Notification.objects.filter(recipient=client, type="booking_time_suggested").exists()
    chosen = booking.suggested_times.get(start=at(tuesday, 16))
    transitions.booking_pick_suggestion(user=client, booking_id=booking.pk, suggestion_id=chosen.pk)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert (booking.start, booking.end) == (at(tuesday, 16), at(tuesday, 17))


def test_client_declines_the_suggestion(setup):
    coach, *_ = setup
    booking = _request(setup)
    transitions.booking_suggest(
        user=coach.user, booking_id=booking.pk, starts=[at(future_weekday(1), 9)]
    )
    transitions.booking_decline_suggestion(user=booking.client, booking_id=booking.pk)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.DECLINED
    assert Notification.objects.filter(recipient=coach.user, type="booking_declined").exists()


def test_suggesting_a_time_that_is_taken_is_refused(setup):
    coach, _, day, _ = setup
    taken = _request(setup, hour=14, client=UserFactory())
    transitions.booking_accept(user=coach.user, booking_id=taken.pk)
    booking = _request(setup)
    with pytest.raises(SlotUnavailable):
        transitions.booking_suggest(
            user=coach.user, booking_id=booking.pk, starts=[at(day, 14, 30)]
        )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.REQUESTED and not booking.suggested_times.exists()


def test_a_confirmed_booking_cannot_be_declined(setup):
    coach, *_ = setup
    booking = _request(setup)
    transitions.booking_accept(user=coach.user, booking_id=booking.pk)
    with pytest.raises(InvalidTransition):
        transitions.booking_decline(user=coach.user, booking_id=booking.pk)


def test_client_cancels_restores_the_time_and_cancelling_twice_is_a_409(setup):
    coach, _, day, client = setup
    booking = _request(setup)
    transitions.booking_accept(user=coach.user, booking_id=booking.pk)
    transitions.booking_cancel(user=client, booking_id=booking.pk, reason="Sick")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED_BY_CLIENT and booking.cancelled_at
    assert _slots(coach) == [(at(day, 9), at(day, 17))]
    assert Notification.objects.filter(
        recipient=coach.user, type="booking_cancelled_by_client"
    ).exists()
    with pytest.raises(InvalidTransition):
        transitions.booking_cancel(user=client, booking_id=booking.pk)


def test_coach_cancels(setup):
    coach, _, _, client = setup
    booking = _request(setup)
    transitions.booking_accept(user=coach.user, booking_id=booking.pk)
    preview = transitions.booking_cancel(user=coach.user, booking_id=booking.pk, reason="Ill")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED_BY_COACH and preview.by_coach
    assert Notification.objects.filter(recipient=client, type="booking_cancelled_by_coach").exists()


def test_a_stranger_cannot_cancel(setup):
    coach, *_ = setup
    booking = _request(setup)
    transitions.booking_accept(user=coach.user, booking_id=booking.pk)
    with pytest.raises(NotAllowed):
        transitions.booking_cancel(user=UserFactory(), booking_id=booking.pk)


def test_reschedule_moves_the_booking_and_the_availability(setup):
    coach, _, day, client = setup
    booking = _request(setup)
    transitions.booking_accept(user=coach.user, booking_id=booking.pk)
    transitions.booking_reschedule(user=client, booking_id=booking.pk, start=at(day, 14))
    booking.refresh_from_db()
    assert (booking.start, booking.end) == (
        at(day, 14),
        at(day, 15),
    ) and booking.status == BookingStatus.CONFIRMED
    assert _slots(coach) == [(at(day, 9), at(day, 14)), (at(day, 15), at(day, 17))]
    assert Notification.objects.filter(recipient=coach.user, type="booking_rescheduled").exists()


def test_reschedule_may_overlap_the_bookings_own_current_time(setup):
    coach, _, day, client = setup
    booking = _request(setup)
    transitions.booking_accept(user=coach.user, booking_id=booking.pk)
    transitions.booking_reschedule(user=client, booking_id=booking.pk, start=at(day, 10, 30))
    booking.refresh_from_db()
    assert booking.start == at(day, 10, 30)
    assert _slots(coach) == [(at(day, 9), at(day, 10, 30)), (at(day, 11, 30), at(day, 17))]


def test_reschedule_to_a_different_price_is_refused(setup):
    coach, _, day, client = setup
    Coach.objects.filter(pk=coach.pk).update(hourly_rate=Decimal("100"))
    TimeBasedRateFactory(
        coach=coach, weekdays=[day.weekday()], start_time=dt.time(15), end_time=dt.time(0)
    )
    booking = Booking.objects.create(
        coach=coach,
        client=client,
        session_type=setup[1],
        title="x",
        start=at(day, 10),
        end=at(day, 11),
        timezone="UTC",
        status=BookingStatus.CONFIRMED,
        booking_type="FIRM",
        currency="CHF",
        amount_total=Decimal("100.00"),
    )
    with pytest.raises(PriceChanged):
        transitions.booking_reschedule(user=client, booking_id=booking.pk, start=at(day, 15))


def test_reschedule_after_the_free_cancellation_deadline_is_refused(setup):
    coach, _, day, client = setup
    booking = _request(setup)
    transitions.booking_accept(user=coach.user, booking_id=booking.pk)
    with pytest.raises(InvalidTime, match="48 hours"):
        transitions.booking_reschedule(
            user=client,
            booking_id=booking.pk,
            start=at(day, 14),
            now=booking.start - dt.timedelta(hours=47),
        )


def test_unanswered_requests_expire_and_give_the_time_back(setup):
    coach, _, day, client = setup
    booking = _request(setup)
    expired = transitions.bookings_expire(now=booking.request_expires_at + dt.timedelta(minutes=1))
    booking.refresh_from_db()
    assert expired == 1 and booking.status == BookingStatus.EXPIRED
    assert _slots(coach) == [(at(day, 9), at(day, 17))]
    assert Notification.objects.filter(recipient=client, type="booking_declined").exists()


def test_past_confirmed_sessions_become_completed(setup):
    coach, *_ = setup
    booking = _request(setup)
    transitions.booking_accept(user=coach.user, booking_id=booking.pk)
    assert transitions.bookings_complete_past(now=booking.end + dt.timedelta(minutes=1)) == 1
    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED


class TestRefundPolicyBoundaries:
    """Seed 002: more than 48 h before: 100%; more than 24 h: 50%; else nothing."""

    START = dt.datetime(2031, 5, 5, 10, tzinfo=dt.UTC)

    @pytest.fixture
    def session_type(self):
        return coach_with_offer()[1]

    @pytest.mark.parametrize(
        "hours_before,percent,amount",
        [
            (72, 100, "150.00"),
            (48.01, 100, "150.00"),
            (48, 50, "75.00"),
            (24.01, 50, "75.00"),
            (24, 0, "0"),
            (1, 0, "0"),
        ],
    )
    def test_client_refund(self, session_type, hours_before, percent, amount):
        decision = cancellation_refund(
            paid=Decimal("150.00"),
            currency="CHF",
            start=self.START,
            now=self.START - dt.timedelta(hours=hours_before),
            session_type=session_type,
            by_coach=False,
        )
        assert decision.percent == percent and decision.amount == Decimal(amount)

    def test_coach_cancellation_always_refunds_everything(self, session_type):
        decision = cancellation_refund(
            paid=Decimal("150.00"),
            currency="CHF",
            start=self.START,
            now=self.START - dt.timedelta(hours=1),
            session_type=session_type,
            by_coach=True,
        )
        assert decision.amount == Decimal("150.00")

    def test_a_type_with_its_own_policy(self, session_type):
        (
            session_type.full_refund_hours,
            session_type.partial_refund_hours,
            session_type.partial_refund_percent,
        ) = 24, 2, 25
        decision = cancellation_refund(
            paid=Decimal("99.99"),
            currency="CHF",
            start=self.START,
            now=self.START - dt.timedelta(hours=3),
            session_type=session_type,
            by_coach=False,
        )
        assert (decision.percent, decision.amount) == (25, Decimal("25.00"))


def test_cancel_preview_shows_the_refund_before_confirming(setup):
    coach, _, _, client = setup
    booking = _request(setup)
    transitions.booking_accept(user=coach.user, booking_id=booking.pk)
    booking.refresh_from_db()
    preview = transitions.cancel_preview(user=client, booking=booking, now=timezone.now())
    assert preview.refund.percent == 100 and preview.refund.amount == Decimal("0")  # free session
