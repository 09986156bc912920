"""One review per booking under real concurrency (PostgreSQL, real threads, one connection
each): eight submissions of the same booking at the same instant give one review and seven
409s. With the row lock switched off the partial unique constraint still keeps it to one
(the lock orders the checks; the constraint is the backstop), and the losers still get 409,
not a 500."""

from __future__ import annotations

import pytest

from accounts.tests.factories import CoachFactory, UserFactory
from reviews import locks
from reviews.errors import AlreadyDone
from reviews.models import Review
from reviews.services import review_create
from reviews.tests.factories import past_booking
from tests.concurrency import race

pytestmark = [pytest.mark.realservices, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _patient_locks(settings):
    settings.LOCK_TIMEOUT_SECONDS = 120  # a busy shared machine: every thread waits its turn


@pytest.mark.parametrize("locked", [True, False], ids=["row_lock", "constraint_only"])
def test_eight_simultaneous_reviews_of_one_booking_make_one(monkeypatch, locked):
    monkeypatch.setattr(locks, "LOCKS_ENABLED", locked)
    coach, author = CoachFactory(), UserFactory()
    booking = past_booking(client=author, coach=coach)
    results = race(
        8,
        lambda i: review_create(
            author=author, coach_id=coach.pk, rating=1 + i % 5, booking_id=booking.pk
        ),
    )
    assert Review.objects.filter(booking=booking).count() == 1
    assert sum(isinstance(r, Review) for r in results) == 1
    assert sum(isinstance(r, AlreadyDone) for r in results) == 7
