"""Demo content for 1:1 sessions, called by `manage.py seed_demo` (safe to run again).

The demo coach offers "1:1 Coaching" (30-120 min in 15 min steps) at CHF 150/h VAT included,
is available on weekdays 09:00-20:00 in their own zone for the next four weeks (Mon/Wed/Fri
instantly bookable, Tue/Thu by request), charges 20% more after 18:00 on Thursdays, has a
special period with its own rate, and hands out the code WELCOME10 (10% off).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.models import Coach, Connection
from bookings import scheduling
from bookings.models import (
    AvailabilitySeries,
    DiscountCode,
    SessionType,
    SpecialPeriod,
    TimeBasedRate,
)
from bookings.services.availability import availability_add_weekly

WEEKS = 4
INSTANT_DAYS = [0, 2, 4]
REQUEST_DAYS = [1, 3]


def seed(*, coach: Coach, clients, stdout=None) -> list[str]:
    lines = []
    Coach.objects.filter(pk=coach.pk).update(
        hourly_rate=Decimal("150.00"), currency="CHF", vat_included=True
    )
    coach.refresh_from_db()
    session_type, created = SessionType.objects.get_or_create(
        coach=coach,
        name="1:1 Coaching",
        defaults={
            "description": "A focused conversation about what matters to you now.",
            "duration_default": 60,
            "duration_min": 30,
            "duration_max": 120,
            "duration_step": 15,
            "buffer_before_minutes": 0,
            "buffer_after_minutes": 15,
            "min_notice_hours": 2,
            "require_approval_non_connected": False,
        },
    )
    lines.append(f"session type “{session_type.name}” {'created' if created else 'already there'}")

    lines.extend(_availability(coach))

    _, created = TimeBasedRate.objects.get_or_create(
        coach=coach,
        name="Thursday evening",
        defaults={
            "weekdays": [3],
            "start_time": dt.time(18),
            "end_time": dt.time(0),
            "percent": Decimal("20"),
        },
    )
    lines.append(
        f"evening rate +20% after 18:00 on Thursdays {'created' if created else 'already there'}"
    )

    today = timezone.now().astimezone(coach.user.tzinfo).date()
    special_start = scheduling.week_start(today) + dt.timedelta(weeks=2)
    period, created = SpecialPeriod.objects.get_or_create(
        coach=coach,
        name="Spring special",
        defaults={
            "start_date": special_start,
            "end_date": special_start + dt.timedelta(days=4),
            "hourly_rate": Decimal("120.00"),
        },
    )
    lines.append(
        f"special period {period.start_date}–{period.end_date} at CHF {period.hourly_rate}/h "
        f"{'created' if created else 'already there'}"
    )

    _, created = DiscountCode.objects.get_or_create(
        coach=coach,
        code="WELCOME10",
        defaults={"kind": DiscountCode.Kind.PERCENT, "value": Decimal("10")},
    )
    lines.append(f"discount code WELCOME10 (10%) {'created' if created else 'already there'}")

    if clients:
        first = clients[0]
        Connection.objects.get_or_create(
            client=first,
            coach=coach,
            defaults={
                "requested_by": first,
                "status": Connection.Status.ACCEPTED,
                "responded_at": timezone.now(),
            },
        )
        lines.append(f"{first.email} is connected with the coach")
    lines.append(f"calendar: /coaches/{coach.pk}/calendar/")
    return lines


def _availability(coach: Coach) -> list[str]:
    """Weekday availability up to four weeks ahead; a rerun only adds the weeks now missing."""
    tz = coach.user.tzinfo
    today = timezone.now().astimezone(tz).date()
    until = today + dt.timedelta(weeks=WEEKS)
    lines = []
    for weekdays, instant in ((INSTANT_DAYS, True), (REQUEST_DAYS, False)):
        covered = (
            AvailabilitySeries.objects.filter(
                coach=coach, weekdays=weekdays, start_time=dt.time(9), end_time=dt.time(20)
            )
            .order_by("-last_date")
            .values_list("last_date", flat=True)
            .first()
        )
        first = max(today, covered + dt.timedelta(days=1)) if covered else today
        if first > until:
            lines.append(f"availability {'instant' if instant else 'by request'} already there")
            continue
        series = availability_add_weekly(
            coach=coach,
            weekdays=weekdays,
            start_time=dt.time(9),
            end_time=dt.time(20),
            first_date=first,
            last_date=until,
            instant_booking=instant,
        )
        lines.append(f"availability {series} ({'instant booking' if instant else 'by request'})")
    return lines
