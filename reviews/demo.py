"""Demo reviews, called by `manage.py seed_demo` after the bookings demo (safe to run again).

Ben attended a session three days ago and reviewed it (5 stars, answered by the coach); Anna
attended one two days ago and has not reviewed it yet, so logging in as Anna shows the review
form on the coach's profile."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from bookings.models import Booking, SessionType
from reviews.models import Review

PAST = (
    (2, "Demo: career check-in (attended)", None),
    (3, "Demo: feedback session (attended)", (5, "Clear, kind and practical.", "Thank you!")),
)


def _past_booking(coach, client, session_type, days_ago: int, title: str) -> Booking | None:
    existing = Booking.objects.filter(coach=coach, client=client, title=title).first()
    if existing:
        return existing
    day = (timezone.now() - dt.timedelta(days=days_ago)).replace(
        hour=6, minute=0, second=0, microsecond=0
    )
    try:
        with transaction.atomic():  # another demo may already use that hour on the calendar
            return Booking.objects.create(
                coach=coach,
                client=client,
                session_type=session_type,
                title=title,
                start=day,
                end=day + dt.timedelta(hours=1),
                timezone=client.timezone,
                status=Booking.Status.COMPLETED,
                booking_type=Booking.Type.FIRM,
                currency=coach.currency,
                amount_total=0,
            )
    except IntegrityError:
        return None


def seed(*, coach, clients, stdout=None) -> list[str]:
    session_type = SessionType.objects.filter(coach=coach).order_by("pk").first()
    if session_type is None or len(clients) < 2:
        return ["no session type or clients: no demo reviews"]
    lines = []
    for client, (days_ago, title, review) in zip(clients[:2], PAST, strict=True):
        booking = _past_booking(coach, client, session_type, days_ago, title)
        if booking is None:
            lines.append(f"{title}: the time is taken, skipped")
            continue
        if review is None:
            lines.append(f"{client.email} may review “{title}” on the coach's profile")
            continue
        rating, text, reply = review
        _, created = Review.objects.get_or_create(
            booking=booking,
            defaults={
                "coach": coach,
                "author": client,
                "rating": rating,
                "text": text,
                "reply_text": reply,
                "replied_at": timezone.now(),
            },
        )
        lines.append(f"review by {client.email} {'created' if created else 'already there'}")
    return lines
