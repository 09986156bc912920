"""A person's own webinars, upcoming and past."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import F, Q, QuerySet

from core.pagination import KeysetPage, keyset_page
from webinars.models import Material, Registration, WaitlistEntry, Webinar
from webinars.selectors.counts import Status, live_q
from webinars.selectors.lists import PAST_PAGE_SIZE


@dataclass
class MyWebinar:
    registration: Registration
    webinar: Webinar
    starts_at: datetime | None
    ends_at: datetime | None
    materials: list[Material]
    live: bool = False  # in progress now: My Bookings lists it under "Live now"

    @property
    def is_confirmed(self) -> bool:
        return self.registration.status == Status.CONFIRMED

    @property
    def cancelled_by_coach(self) -> bool:
        return self.webinar.status == Webinar.Status.CANCELLED and self.registration.status in (
            Status.CANCELLED,
            Status.REFUNDED,
        )

    @property
    def offer(self) -> WaitlistEntry | None:
        """The waitlist offer this held seat is, if it is one."""
        if self.registration.status != Status.HELD:
            return None
        for entry in self.registration.waitlist_entries.all():
            if entry.status == WaitlistEntry.Status.OFFERED:
                return entry
        return None

    @property
    def cancelled_by_me(self) -> bool:
        return self.registration.status == Status.CANCELLED and (
            self.registration.cancelled_by_attendee
        )

    @property
    def can_cancel_seat(self) -> bool:
        return (
            self.is_confirmed
            and not self.live
            and self.webinar.status in (Webinar.BOOKABLE_STATUSES)
        )

    @property
    def refunded_amount(self) -> Decimal:
        """What went back to the user so far (0 while a refund is still on its way)."""
        payment = self.registration.payment
        return payment.amount_refunded if payment is not None else Decimal("0")


def _was_booked_q() -> Q:
    """Seats the user had and lost without choosing to: refunded (the webinar was cancelled,
    or the seat was gone when a late payment arrived) or cancelled after being confirmed (a
    free seat of a cancelled webinar). A hold the user released never counts as a booking."""
    return Q(status=Status.REFUNDED) | Q(status=Status.CANCELLED, confirmed_at__isnull=False)


PAST_KEY = "webinar_starts_at"  # the past list's order and cursor key (with the pk)


def _my_registrations(user, *, offers: bool = True) -> QuerySet[Registration]:
    """The user's seats (live or lost without choosing to) with start/end and what the rows
    show (related rows selected, materials prefetched: a constant number of queries; the
    waitlist entries behind offered holds only where rows can show an offer). Start and end
    are the registration's copies of the webinar's (webinars/stored_registration_times.py),
    so the filters and the order below run over the user's own indexes."""
    prefetch = ("webinar__materials", "waitlist_entries") if offers else ("webinar__materials",)
    return (
        Registration.objects.filter(user=user)
        .select_related("webinar__coach__user", "payment")
        .prefetch_related(*prefetch)
        .annotate(starts_at=F("webinar_starts_at"), ends_at=F("webinar_ends_at"))
    )


def _not_over_q(now: datetime) -> Q:
    """ends_at >= now or no date (the webinar's stored end, as copied on the registration)."""
    return Q(webinar_ends_at__gte=now) | Q(webinar_ends_at__isnull=True)


def _upcoming_q(now: datetime) -> Q:
    return live_q(now) & _not_over_q(now)


def _past_q(now: datetime) -> Q:
    """Ended (live seats of a webinar that is over) or lost (refunded, cancelled)."""
    return (live_q(now) & ~_not_over_q(now)) | _was_booked_q()


def _my_webinar(registration: Registration, now: datetime) -> MyWebinar:
    """Start and end from the registration's stored copies (what `_my_registrations`
    annotates as `starts_at`/`ends_at` for its filters and order)."""
    confirmed = registration.status == Status.CONFIRMED
    starts_at, ends_at = registration.webinar_starts_at, registration.webinar_ends_at
    item = MyWebinar(
        registration=registration,
        webinar=registration.webinar,
        starts_at=starts_at,
        ends_at=ends_at,
        materials=list(registration.webinar.materials.all()) if confirmed else [],
    )
    over = ends_at is not None and ends_at < now
    item.live = not over and confirmed and starts_at is not None and starts_at <= now
    return item


def my_upcoming_webinars(*, user, now: datetime) -> list[MyWebinar]:
    """Confirmed or on hold and not over yet, soonest first: in full (a user holds few)."""
    rows = _my_registrations(user).filter(_upcoming_q(now)).order_by("starts_at", "pk")
    return [_my_webinar(r, now) for r in rows]


def my_past_webinars(*, user, now: datetime) -> QuerySet[Registration]:
    """Ended webinars, cancelled and refunded seats, newest first (undated ones first):
    page it with `keyset_page(..., key=PAST_KEY, descending=True)` (a LIMIT over the index
    (user, webinar_starts_at, id)); rows become MyWebinar items through `my_webinar_items`."""
    return (
        _my_registrations(user, offers=False)  # past rows never show a waitlist offer
        .filter(_past_q(now))
        .order_by(F(PAST_KEY).desc(nulls_first=True), "-pk")
    )


def my_webinar_items(registrations, *, now: datetime) -> list[MyWebinar]:
    return [_my_webinar(r, now) for r in registrations]


def my_past_webinars_page(
    *, user, now: datetime, older: str | None, newer: str | None, size: int = PAST_PAGE_SIZE
) -> KeysetPage:
    """One window of `my_past_webinars` (cursors from an earlier window: `older` moves down
    the history, `newer` back up); `items` are MyWebinar items. The same few queries at 10
    or 10,000 past seats."""
    page = keyset_page(
        my_past_webinars(user=user, now=now),
        key=PAST_KEY,
        after=older,
        before=newer,
        size=size,
        descending=True,
    )
    page.items = my_webinar_items(page.items, now=now)
    return page
