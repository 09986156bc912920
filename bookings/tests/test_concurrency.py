"""No double booking under real concurrency (PostgreSQL, real threads, one connection each).

20 clients book the same coach at the same time for overlapping times: exactly one booking.
Two controls show what each line of defence does: without the coach lock the exclusion
constraint still rejects all but one; without the lock *and* the constraint the race really
double-books (so the tests above prove something)."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.tests.factories import UserFactory
from bookings import locks
from bookings.errors import SlotUnavailable
from bookings.models import Booking
from bookings.services.booking_create import booking_create
from bookings.tests.factories import AvailabilitySlotFactory, at, coach_with_offer, future_weekday
from tests.concurrency import race

pytestmark = [pytest.mark.realservices, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _patient_locks(settings):
    """These races prove what the locks keep correct while every thread waits its turn; on a
    busy shared machine a turn can take longer than the production limit of 3 s, whose "busy,
    try again" answer core/tests/test_locking.py proves on its own."""
    settings.LOCK_TIMEOUT_SECONDS = 120


CLIENTS = 20


def twenty_clients_book_the_same_time():
    coach, session_type = coach_with_offer()
    day = future_weekday(0, weeks_ahead=3)
    AvailabilitySlotFactory(coach=coach, start=at(day, 9), end=at(day, 17), instant_booking=True)
    clients = [UserFactory() for _ in range(CLIENTS)]
    # Everyone wants 10:00, some for 60 and some for 90 minutes, some 10:30: all overlap.
    starts = [at(day, 10), at(day, 10, 30)]

    def book(i: int):
        return booking_create(
            client=clients[i],
            coach_id=coach.pk,
            session_type_id=session_type.pk,
            start=starts[i % 2],
            duration=60 + 30 * (i % 3 == 0),
        )

    return coach, race(CLIENTS, book)


def blocking(coach):
    return Booking.objects.filter(coach=coach, status__in=Booking.BLOCKING_STATUSES)


def test_twenty_clients_booking_the_same_slot_get_exactly_one_booking(localstripe):
    coach, results = twenty_clients_book_the_same_time()
    assert blocking(coach).count() == 1
    failures = [r for r in results if isinstance(r, Exception)]
    assert len(failures) == CLIENTS - 1
    assert all(isinstance(f, SlotUnavailable) for f in failures), failures
    # The lock did it: nobody reached the database constraint.
    assert not any("a moment ago" in f.message for f in failures)


def test_control_without_the_lock_the_exclusion_constraint_still_allows_one(
    localstripe, monkeypatch
):
    monkeypatch.setattr(locks, "LOCKS_ENABLED", False)
    reached_constraint = 0
    for _ in range(3):  # a race is a race: give it three chances to show itself
        coach, results = twenty_clients_book_the_same_time()
        assert blocking(coach).count() == 1
        reached_constraint += sum(
            isinstance(r, SlotUnavailable) and "a moment ago" in r.message for r in results
        )
        if reached_constraint:
            break
    assert reached_constraint > 0


def test_control_without_lock_and_constraint_the_race_double_books(localstripe, monkeypatch):
    from importlib import import_module

    migration = import_module("bookings.migrations.0002_booking_no_overlap_postgres")
    monkeypatch.setattr(locks, "LOCKS_ENABLED", False)
    with connection.cursor() as cursor:
        cursor.execute(migration.DROP)
    try:
        worst = 0
        for _ in range(3):
            coach, _results = twenty_clients_book_the_same_time()
            worst = max(worst, blocking(coach).count())
            if worst > 1:
                break
        assert worst > 1, "expected overlapping bookings without any protection"
    finally:
        Booking.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute(migration.CREATE)
