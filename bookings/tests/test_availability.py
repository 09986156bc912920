"""Availability writes: weekly generation in the coach's zone, split on booking, restore and
coalesce on release (seed 004 §4.2)."""

import datetime as dt

import pytest

from accounts.tests.factories import CoachFactory
from bookings.errors import InvalidTime
from bookings.models import AvailabilitySlot
from bookings.services import availability
from bookings.tests.factories import ZURICH, at, future_weekday

pytestmark = pytest.mark.django_db


def _slots(coach):
    return [
        (s.start, s.end) for s in AvailabilitySlot.objects.filter(coach=coach).order_by("start")
    ]


def test_weekly_availability_keeps_the_coachs_wall_clock_across_dst():
    coach = CoachFactory(user__timezone="Europe/Zurich")
    first, last = dt.date(2031, 3, 24), dt.date(2031, 4, 7)  # spans 30 March 2031
    series = availability.availability_add_weekly(
        coach=coach,
        weekdays=[0],
        start_time=dt.time(9),
        end_time=dt.time(17),
        first_date=first,
        last_date=last,
    )
    slots = list(series.slots.order_by("start"))
    assert [s.start.astimezone(ZURICH).strftime("%a %H:%M") for s in slots] == ["Mon 09:00"] * 3
    assert [s.start.hour for s in slots] == [8, 7, 7]  # UTC


def test_adding_touching_availability_merges_it_into_one_slot():
    coach = CoachFactory()
    day = future_weekday(1)
    availability.availability_add(coach=coach, start=at(day, 9), end=at(day, 12))
    availability.availability_add(coach=coach, start=at(day, 12), end=at(day, 15))
    assert _slots(coach) == [(at(day, 9), at(day, 15))]


def test_different_kinds_of_availability_are_not_merged():
    coach = CoachFactory()
    day = future_weekday(1)
    availability.availability_add(
        coach=coach, start=at(day, 9), end=at(day, 12), instant_booking=True
    )
    availability.availability_add(
        coach=coach, start=at(day, 12), end=at(day, 15), instant_booking=False
    )
    assert len(_slots(coach)) == 2


def test_carving_a_booking_splits_the_slot_and_restoring_coalesces_it_back():
    coach = CoachFactory()
    day = future_weekday(2)
    availability.availability_add(
        coach=coach, start=at(day, 9), end=at(day, 17), instant_booking=True
    )
    pieces = availability.carve(coach=coach, start=at(day, 11), end=at(day, 12))
    assert _slots(coach) == [(at(day, 9), at(day, 11)), (at(day, 12), at(day, 17))]
    assert [(p["start"], p["end"], p["instant_booking"]) for p in pieces] == [
        (at(day, 11).isoformat(), at(day, 12).isoformat(), True)
    ]
    availability.restore(coach=coach, pieces=pieces)
    assert _slots(coach) == [(at(day, 9), at(day, 17))]


def test_carving_at_the_edge_of_a_slot_shortens_it():
    coach = CoachFactory()
    day = future_weekday(2)
    availability.availability_add(coach=coach, start=at(day, 9), end=at(day, 12))
    availability.carve(coach=coach, start=at(day, 9), end=at(day, 10))
    assert _slots(coach) == [(at(day, 10), at(day, 12))]


def test_restore_gives_back_only_the_time_that_was_availability():
    coach = CoachFactory()
    day = future_weekday(2)
    availability.availability_add(coach=coach, start=at(day, 9), end=at(day, 10))
    pieces = availability.carve(
        coach=coach, start=at(day, 9, 30), end=at(day, 10, 30)
    )  # half outside
    assert _slots(coach) == [(at(day, 9), at(day, 9, 30))]
    availability.restore(coach=coach, pieces=pieces)
    assert _slots(coach) == [(at(day, 9), at(day, 10))]


def test_a_booking_spanning_two_slots_restores_both_pieces():
    coach = CoachFactory()
    day = future_weekday(3)
    availability.availability_add(
        coach=coach, start=at(day, 9), end=at(day, 10), instant_booking=True
    )
    availability.availability_add(
        coach=coach, start=at(day, 10), end=at(day, 11), instant_booking=False
    )
    pieces = availability.carve(coach=coach, start=at(day, 9, 30), end=at(day, 10, 30))
    assert len(pieces) == 2
    availability.restore(coach=coach, pieces=pieces)
    assert _slots(coach) == [(at(day, 9), at(day, 10)), (at(day, 10), at(day, 11))]


def test_availability_off_the_quarter_hour_is_refused():
    coach = CoachFactory()
    day = future_weekday(1)
    with pytest.raises(InvalidTime):
        availability.availability_add(coach=coach, start=at(day, 9, 10), end=at(day, 10))
    assert not AvailabilitySlot.objects.filter(coach=coach).exists()


def test_removing_a_series_keeps_past_and_other_slots():
    coach = CoachFactory()
    day = future_weekday(4)
    other = availability.availability_add(coach=coach, start=at(day, 18), end=at(day, 19))
    series = availability.availability_add_weekly(
        coach=coach,
        weekdays=[0, 1],
        start_time=dt.time(9),
        end_time=dt.time(12),
        first_date=future_weekday(0),
        last_date=future_weekday(0) + dt.timedelta(weeks=3),
    )
    assert series.slots.count() == 7  # four Mondays, three Tuesdays
    removed = availability.availability_series_remove(coach=coach, series_id=series.pk)
    assert removed == 7
    assert list(AvailabilitySlot.objects.filter(coach=coach).values_list("pk", flat=True)) == [
        other.pk
    ]
