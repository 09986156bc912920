"""Time passes: a webinar whose last slot has ended is `completed` (Celery beat every five
minutes and `manage.py complete_webinars`). A completed webinar can no longer be cancelled, so
nobody is refunded for a webinar that took place."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Max
from django.utils import timezone

from webinars.models import Webinar


def webinars_complete(*, now: datetime | None = None) -> int:
    """Mark every open webinar whose last slot ended at or before `now` as completed.
    Returns how many. Drafts and cancelled webinars are left alone."""
    now = now or timezone.now()
    over = (
        Webinar.objects.filter(status__in=Webinar.BOOKABLE_STATUSES)
        .annotate(last_end=Max("slots__end"))
        .filter(last_end__lte=now)
        .values_list("pk", flat=True)
    )
    # One UPDATE, status re-checked in it: a cancellation committed meanwhile stays.
    return Webinar.objects.filter(pk__in=list(over), status__in=Webinar.BOOKABLE_STATUSES).update(
        status=Webinar.Status.COMPLETED, updated_at=now
    )
