"""What of a person's webinars stops their account from being deleted (accounts.deletion)."""

from __future__ import annotations

from django.db.models import Max, Q
from django.utils import timezone

from webinars.models import Registration, Webinar


def upcoming_webinars_of(*, user) -> list[str]:
    """Seats (held or confirmed) in webinars whose last slot is still ahead, and, for a coach,
    their own bookable webinars still ahead."""
    now = timezone.now()
    seats = (
        Registration.objects.filter(user=user, status__in=Registration.LIVE_STATUSES)
        .annotate(last_start=Max("webinar__slots__start"))
        .filter(Q(last_start__gt=now) | Q(last_start__isnull=True))
        .select_related("webinar")
    )
    lines = [f"Seat in the webinar “{seat.webinar.title}”" for seat in seats]
    hosted = (
        Webinar.objects.filter(coach__user=user, status__in=Webinar.BOOKABLE_STATUSES)
        .annotate(last_start=Max("slots__start"))
        .filter(Q(last_start__gt=now) | Q(last_start__isnull=True))
    )
    lines += [f"Your webinar “{webinar.title}” (cancel it first)" for webinar in hosted]
    return lines
