"""Lists of webinars: the public list, a coach's list, attendees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from accounts import blocks
from core.pagination import KeysetPage, keyset_page
from webinars import pricing
from webinars.models import Registration, Webinar, WebinarSlot
from webinars.selectors.counts import Status, with_counts


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


def _open_webinars(*, now: datetime, viewer) -> QuerySet[Webinar]:
    """Open webinars with a slot still to end, with counts. The "not ended" test goes through
    the slots' `end` index (a webinar has not ended iff one of its slots ends after now), so
    ended webinars are never scanned, nor their `ends_at` computed."""
    not_ended = WebinarSlot.objects.filter(end__gt=now).values("webinar_id")
    return with_counts(
        blocks.hide_blocked(
            Webinar.objects.filter(status__in=Webinar.BOOKABLE_STATUSES, pk__in=not_ended),
            viewer,
            user_field="coach__user",
        ).select_related("coach__user"),
        now=now,
    )


def _list_item(w: Webinar, now: datetime) -> ListItem:
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
