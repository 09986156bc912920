"""Attended items and reviews for the review tests. `past_booking` / `past_registration` end
`ended_ago` before now (default: about yesterday)."""

from __future__ import annotations

import datetime as dt
import itertools

import factory
from django.utils import timezone

from bookings.models import Booking
from bookings.tests.factories import BookingFactory
from reviews.models import Review
from webinars.tests.factories import RegistrationFactory, WebinarFactory

_stagger = itertools.count()


def past_booking(*, client, coach, ended_ago=None, **kwargs) -> Booking:
    """Without `ended_ago`: ended 1 day ago plus 2 h per earlier call (a coach's sessions may
    not overlap: PostgreSQL's exclusion constraint), always within the 30-day window."""
    if ended_ago is None:
        ended_ago = dt.timedelta(days=1, hours=2 * (next(_stagger) % 300))
    end = timezone.now() - ended_ago
    kwargs.setdefault("status", Booking.Status.COMPLETED)
    return BookingFactory(
        client=client, coach=coach, start=end - dt.timedelta(hours=1), end=end, **kwargs
    )


def past_registration(*, user, coach, ended_ago=dt.timedelta(days=1), **kwargs):
    """A confirmed seat in a webinar of `coach` whose (only, two-hour) slot ended `ended_ago`."""
    webinar = WebinarFactory(coach=coach, slots__starts_in=-(ended_ago + dt.timedelta(hours=2)))
    return RegistrationFactory(webinar=webinar, user=user, **kwargs)


class ReviewFactory(factory.django.DjangoModelFactory):
    """A 4-star review of a session the author attended yesterday."""

    class Meta:
        model = Review

    booking = factory.LazyAttribute(
        lambda o: past_booking(client=o.author, coach=o.coach) if o.registration is None else None
    )
    registration = None
    coach = factory.SubFactory("accounts.tests.factories.CoachFactory")
    author = factory.SubFactory("accounts.tests.factories.UserFactory")
    rating = 4
    text = "Clear, kind and practical."
