"""Waiting lists: a person's place, a webinar's list, a person's lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Q

from webinars.models import WaitlistEntry, Webinar


def waitlist_place(*, webinar_id: int, user) -> tuple[WaitlistEntry | None, int]:
    """The user's active entry and their position among those waiting (1 = next)."""
    entry = (
        WaitlistEntry.objects.filter(
            webinar_id=webinar_id, user_id=user.pk, status__in=WaitlistEntry.ACTIVE_STATUSES
        )
        .order_by("-pk")
        .first()
    )
    if entry is None or entry.status != WaitlistEntry.Status.WAITING:
        return entry, 0
    ahead = WaitlistEntry.objects.filter(
        Q(created_at__lt=entry.created_at) | Q(created_at=entry.created_at, pk__lt=entry.pk),
        webinar_id=webinar_id,
        status=WaitlistEntry.Status.WAITING,
    ).count()
    return entry, ahead + 1


def webinar_waitlist(*, webinar: Webinar) -> list[WaitlistEntry]:
    """The coach's view of the line: waiting and offered, in order (the line is short)."""
    return list(
        WaitlistEntry.objects.filter(
            webinar=webinar, status__in=WaitlistEntry.ACTIVE_STATUSES
        ).select_related("user", "registration")
    )


def waitlist_count(*, webinar_id: int) -> int:
    return WaitlistEntry.objects.filter(
        webinar_id=webinar_id, status=WaitlistEntry.Status.WAITING
    ).count()


@dataclass
class MyWaitlistPlace:
    entry: WaitlistEntry
    position: int
    starts_at: datetime | None


def my_waitlists(*, user, now: datetime) -> list[MyWaitlistPlace]:
    """The user's places in line for webinars not started yet (few: one query, plus one
    count per place)."""
    entries = (
        WaitlistEntry.objects.filter(user=user, status=WaitlistEntry.Status.WAITING)
        # places kept for webinars that have started since are not listed (nor loaded)
        .filter(Q(webinar__starts_at__gt=now) | Q(webinar__starts_at__isnull=True))
        .select_related("webinar__coach__user")
        .annotate(starts_at=F("webinar__starts_at"))
        .order_by("starts_at", "pk")
    )
    places = []
    for entry in entries:
        if entry.starts_at is not None and entry.starts_at <= now:
            continue
        _, position = waitlist_place(webinar_id=entry.webinar_id, user=user)
        places.append(MyWaitlistPlace(entry, position, entry.starts_at))
    return places
