"""Demo webinars for `manage.py seed_demo` (idempotent: run it again to refresh the dates).

Covers every state the booking page shows: early bird running, regular price, nearly full
(1 seat left), full, free, already started (one demo client is booked on it, so My Bookings
shows a Join link and materials). Start times are what a coach would pick, in the coach's own
time zone: 18:00 or 09:30 on the chosen day, never the minute the seed happened to run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from webinars.models import Material, Registration, Webinar, WebinarSlot


@dataclass(frozen=True)
class DemoWebinar:
    title: str
    description: str
    price: Decimal
    max_attendees: int
    taken: int
    starts_in: timedelta  # which day (in the coach's zone); negative: running now
    at: time = time(18, 0)  # local start time on that day
    hours: int = 2
    early_bird_price: Decimal | None = None
    early_bird_for: timedelta | None = None
    min_attendees: int = 0


DEMO_WEBINARS = [
    DemoWebinar(
        "Leading remote teams",
        "Trust, rituals and feedback across time zones.",
        Decimal("150.00"),
        20,
        3,
        timedelta(days=21),
        early_bird_price=Decimal("120.00"),
        early_bird_for=timedelta(days=10),
        min_attendees=5,
    ),
    DemoWebinar(
        "Negotiation fundamentals",
        "Prepare, anchor, trade: a practical afternoon.",
        Decimal("90.00"),
        15,
        4,
        timedelta(days=10),
        at=time(14, 0),
    ),
    DemoWebinar(
        "Public speaking lab",
        "Small group, lots of rehearsal. One seat left!",
        Decimal("75.00"),
        8,
        7,
        timedelta(days=5),
    ),
    DemoWebinar(
        "Feedback that lands",
        "Give and receive feedback without drama. Sold out.",
        Decimal("60.00"),
        5,
        5,
        timedelta(days=3),
        at=time(12, 0),
    ),
    DemoWebinar(
        "Intro to coaching (free)",
        "What coaching is, what it is not, and how to start.",
        Decimal("0.00"),
        50,
        2,
        timedelta(days=7),
        at=time(9, 30),
        hours=1,
    ),
    DemoWebinar(
        "Morning focus session",
        "Already running: booking is closed.",
        Decimal("40.00"),
        12,
        4,
        timedelta(minutes=-30),
    ),
]


def _demo_attendees(count: int) -> list:
    User = get_user_model()
    people = []
    for n in range(1, count + 1):
        user, created = User.objects.get_or_create(
            email=f"attendee{n}@demo.example.com",
            defaults={"first_name": "Demo", "last_name": f"Attendee {n}"},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        people.append(user)
    return people


def _local_start(spec: DemoWebinar, now: datetime, tz) -> datetime:
    """When the demo webinar starts: `spec.at` on the chosen day in the coach's zone; the
    running one started at the last full half hour (so it is under way, not about to end)."""
    if spec.starts_in < timedelta(0):
        local_now = now.astimezone(tz)
        started = local_now.replace(minute=0 if local_now.minute < 30 else 30)
        return started.replace(second=0, microsecond=0)
    day = (now + spec.starts_in).astimezone(tz).date()
    return datetime.combine(day, spec.at, tzinfo=tz)


def _early_bird_deadline(spec: DemoWebinar, now: datetime, tz) -> datetime | None:
    """The end of the chosen day (23:59 in the coach's zone)."""
    if spec.early_bird_for is None:
        return None
    day = (now + spec.early_bird_for).astimezone(tz).date()
    return datetime.combine(day, time(23, 59), tzinfo=tz)


def _ensure_webinar(coach, spec: DemoWebinar, now) -> tuple[Webinar, bool]:
    webinar, created = Webinar.objects.get_or_create(
        coach=coach,
        title=spec.title,
        defaults={"max_attendees": spec.max_attendees},
    )
    webinar.description = spec.description
    webinar.price = spec.price
    webinar.currency = coach.currency or "CHF"
    webinar.max_attendees = spec.max_attendees
    webinar.min_attendees = spec.min_attendees
    webinar.early_bird_price = spec.early_bird_price
    tz = coach.user.tzinfo
    webinar.early_bird_deadline = _early_bird_deadline(spec, now, tz)
    webinar.status = (
        Webinar.Status.PENDING_MINIMUM
        if spec.taken < spec.min_attendees
        else Webinar.Status.SCHEDULED
    )
    webinar.save()
    webinar.slots.all().delete()
    start = _local_start(spec, now, tz)
    WebinarSlot.objects.create(
        webinar=webinar, start=start, end=start + timedelta(hours=spec.hours)
    )
    return webinar, created


def _ensure_attendees(webinar: Webinar, people: list, now) -> None:
    for user in people:
        Registration.objects.get_or_create(
            webinar=webinar,
            user=user,
            status=Registration.Status.CONFIRMED,
            defaults={
                "amount": webinar.price,
                "currency": webinar.currency,
                "price_reason": "free" if webinar.price == 0 else "regular",
                "confirmed_at": now,
            },
        )


def _ensure_materials(webinar: Webinar) -> None:
    if webinar.materials.exists():
        return
    Material.objects.create(
        webinar=webinar, title="Reading list", url="https://example.com/reading-list", position=1
    )
    slides = Material(webinar=webinar, title="Slides (text)", position=0)
    slides.file.save(
        "slides.txt", ContentFile(f"{webinar.title}\n\nSlide 1: welcome.\n".encode()), save=False
    )
    slides.save()


@transaction.atomic
def seed(*, coach, clients, stdout=None) -> list[str]:
    now = timezone.now()
    attendees = _demo_attendees(max(spec.taken for spec in DEMO_WEBINARS))
    lines = []
    for spec in DEMO_WEBINARS:
        webinar, created = _ensure_webinar(coach, spec, now)
        people = attendees[: spec.taken]
        if spec.starts_in < timedelta(0) and clients:
            people = [clients[0], *attendees[: spec.taken - 1]]
        _ensure_attendees(webinar, people, now)
        _ensure_materials(webinar)
        taken = webinar.registrations.filter(status=Registration.Status.CONFIRMED).count()
        lines.append(
            f"{'created' if created else 'updated'} webinar “{webinar.title}” "
            f"({taken}/{webinar.max_attendees} booked) /webinars/{webinar.pk}/"
        )
    return lines
