"""Lists of webinars: the public list, a coach's list, attendees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from accounts import blocks
from core.pagination import KeysetPage, keyset_page
from webinars import pricing
from webinars.models import Registration, Webinar
from webinars.selectors.counts import Status, with_counts

if TYPE_CHECKING:
    from webinars.selectors.counts import CountedWebinar


@dataclass
class ListItem:
    webinar: Webinar
    quote: pricing.Quote
    seats_left: int
    has_started: bool


LIST_PAGE_SIZE = 24
COACH_PAGE_SIZE = 25
ATTENDEES_PAGE_SIZE = 50
PAST_PAGE_SIZE = 20


def _open_webinars(*, now: datetime, viewer) -> QuerySet[CountedWebinar]:
    """Open webinars not ended yet, with counts: ordered by `starts_at` it is a LIMIT over the
    partial index `webinar_open_starts_at` (closed and completed webinars are not in it)."""
    return with_counts(
        blocks.hide_blocked(
            Webinar.objects.filter(
                status__in=Webinar.BOOKABLE_STATUSES,
                ends_at__gt=now,
                hidden_by_moderation_at__isnull=True,
            ),
            viewer,
            user_field="coach__user",
        ).select_related("coach__user"),
        now=now,
    )


def _list_item(w: CountedWebinar, now: datetime) -> ListItem:
    return ListItem(
        webinar=w,
        quote=pricing.quote(w, now=now),
        seats_left=max(0, w.max_attendees - w.live_count),
        has_started=w.starts_at is not None and w.starts_at <= now,
    )


def upcoming_webinars(*, now: datetime, viewer=None) -> list[ListItem]:
    """All open webinars that have not ended, soonest first (constant number of queries),
    without those of coaches on the other side of a block with `viewer`. Pages use
    `upcoming_webinars_page`."""
    webinars = _open_webinars(now=now, viewer=viewer).order_by("starts_at", "pk")
    return [_list_item(w, now) for w in webinars]


def upcoming_webinars_page(
    *,
    now: datetime,
    viewer=None,
    after: str | None = None,
    before: str | None = None,
    size: int = LIST_PAGE_SIZE,
) -> KeysetPage:
    """One window of `upcoming_webinars` (live ones first, then soonest first), keyset on
    (starts_at, pk): one query whatever the number of webinars; `items` are ListItems."""
    page = keyset_page(
        _open_webinars(now=now, viewer=viewer),
        key="starts_at",
        after=after,
        before=before,
        size=size,
    )
    page.items = [_list_item(w, now) for w in page.items]
    return page


def coach_webinars(*, coach, now: datetime) -> QuerySet[Webinar]:
    return with_counts(
        Webinar.objects.filter(coach=coach).select_related("coach__user"), now=now
    ).order_by("-starts_at", "-pk")


def webinar_attendees(*, webinar: Webinar) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(webinar=webinar, status=Status.CONFIRMED)
        .select_related("user", "payment")
        .order_by("confirmed_at", "pk")
    )
