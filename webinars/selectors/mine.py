"""A person's own webinars, upcoming and past."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery

from webinars.models import Material, Registration, WaitlistEntry, Webinar, WebinarSlot
from webinars.selectors.counts import Status, live_q


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


def _my_registrations(user) -> QuerySet[Registration]:
    """The user's seats (live or lost without choosing to) with start/end and what the rows
    show (related rows selected, materials prefetched: a constant number of queries)."""
    slots = WebinarSlot.objects.filter(webinar=OuterRef("webinar_id"))
    return (
        Registration.objects.filter(user=user)
        .select_related("webinar__coach__user", "payment")
        .prefetch_related("webinar__materials", "waitlist_entries")
        .annotate(
            starts_at=Subquery(slots.order_by("start").values("start")[:1]),
            ends_at=Subquery(slots.order_by("-end").values("end")[:1]),
        )
    )


def _not_over_q(now: datetime) -> Q:
    """ends_at >= now or no date, as a semi-join through the slots' `end` index (only slots
    still to end are read) instead of each registration's `ends_at` subquery."""
    any_slot = WebinarSlot.objects.filter(webinar=OuterRef("webinar_id"))
    return Q(
        webinar_id__in=WebinarSlot.objects.filter(end__gte=now).values("webinar_id")
    ) | ~Exists(any_slot)


def _upcoming_q(now: datetime) -> Q:
    return live_q(now) & _not_over_q(now)


def _past_q(now: datetime) -> Q:
    """Ended (live seats of a webinar that is over) or lost (refunded, cancelled)."""
    return (live_q(now) & ~_not_over_q(now)) | _was_booked_q()


def _my_webinar(registration: Registration, now: datetime) -> MyWebinar:
    confirmed = registration.status == Status.CONFIRMED
    item = MyWebinar(
        registration=registration,
        webinar=registration.webinar,
        starts_at=registration.starts_at,
        ends_at=registration.ends_at,
        materials=list(registration.webinar.materials.all()) if confirmed else [],
    )
    over = registration.ends_at is not None and registration.ends_at < now
    item.live = (
        not over
        and confirmed
        and registration.starts_at is not None
        and registration.starts_at <= now
    )
    return item


def my_upcoming_webinars(*, user, now: datetime) -> list[MyWebinar]:
    """Confirmed or on hold and not over yet, soonest first: in full (a user holds few)."""
    rows = _my_registrations(user).filter(_upcoming_q(now)).order_by("starts_at", "pk")
    return [_my_webinar(r, now) for r in rows]


def my_past_webinars(*, user, now: datetime) -> QuerySet[Registration]:
    """Ended webinars, cancelled and refunded seats, newest first (paginate it; rows become
    MyWebinar items through `my_webinar_items`)."""
    return (
        _my_registrations(user)
        .filter(_past_q(now))
        .order_by(F("starts_at").desc(nulls_first=True), "-pk")
    )


def my_webinar_items(registrations, *, now: datetime) -> list[MyWebinar]:
    return [_my_webinar(r, now) for r in registrations]
