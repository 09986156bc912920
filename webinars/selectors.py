"""Reads of the webinars app. Query counts stay constant as attendees grow: start/end times
and seat counts are stored on the webinar row (webinars/stored_counts.py), related rows come
with select_related / prefetch_related."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts import blocks
from core.pagination import KeysetPage, keyset_page
from webinars import pricing
from webinars.models import Material, Registration, WaitlistEntry, Webinar, WebinarSlot

Status = Registration.Status
REFUNDABLE_PAYMENT_STATUSES = ("completed", "partially_refunded")


def _live_q(now: datetime) -> Q:
    """A seat is taken by a confirmed registration or a hold that has not run out yet."""
    return Q(status=Status.CONFIRMED) | Q(status=Status.HELD, hold_expires_at__gt=now)


def _count(filter_q: Q) -> Coalesce:
    counted = (
        Registration.objects.filter(filter_q, webinar=OuterRef("pk"))
        .order_by()
        .values("webinar")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_counts(queryset: QuerySet[Webinar], *, now: datetime) -> QuerySet[Webinar]:
    """Annotate live_count (held + confirmed) and confirmed_count from the stored columns
    (webinars/stored_counts.py; `starts_at`/`ends_at` are stored too). Only a row whose
    earliest hold deadline has passed without the sweep counts its live seats again."""
    return queryset.annotate(
        live_count=Case(
            When(next_hold_expires_at__lte=now, then=_count(_live_q(now))),
            default=F("seats_taken"),
            output_field=IntegerField(),
        ),
        confirmed_count=F("seats_confirmed"),
    )


@dataclass
class BookingState:
    """Everything the detail page and the booking panel decide for one viewer."""

    webinar: Webinar
    quote: pricing.Quote
    registration: Registration | None
    is_coach: bool
    is_staff_viewer: bool
    closed_reason: str
    now: datetime
    waitlist_entry: WaitlistEntry | None = None  # the viewer's active place in line
    waitlist_position: int = 0  # 1 = next to be offered a seat; 0 when offered or none

    @property
    def seats_left(self) -> int:
        return max(0, self.webinar.max_attendees - self.webinar.live_count)

    @property
    def is_full(self) -> bool:
        return self.seats_left == 0

    @property
    def has_started(self) -> bool:
        return self.webinar.starts_at is not None and self.webinar.starts_at <= self.now

    @property
    def is_attendee(self) -> bool:
        return self.registration is not None and self.registration.status == Status.CONFIRMED

    @property
    def is_holding(self) -> bool:
        r = self.registration
        return (
            r is not None
            and r.status == Status.HELD
            and r.hold_expires_at is not None
            and (r.hold_expires_at > self.now)
        )

    @property
    def can_access_content(self) -> bool:
        return self.is_attendee or self.is_coach or self.is_staff_viewer

    @property
    def is_cancelled(self) -> bool:
        return self.webinar.status == Webinar.Status.CANCELLED

    @property
    def can_cancel(self) -> bool:
        """The coach's (or staff's) "Cancel webinar" button."""
        return (
            (self.is_coach or self.is_staff_viewer)
            and not self.has_started
            and self.webinar.status not in (Webinar.Status.CANCELLED, Webinar.Status.COMPLETED)
        )

    @property
    def can_cancel_seat(self) -> bool:
        """A confirmed attendee may give the seat back until the webinar starts."""
        return self.is_attendee and not self.has_started and not self.is_cancelled

    @property
    def offer(self) -> WaitlistEntry | None:
        """The waitlist offer the viewer's held seat comes from, if it does."""
        entry = self.waitlist_entry
        if entry is not None and entry.status == WaitlistEntry.Status.OFFERED and self.is_holding:
            return entry
        return None

    @property
    def on_waitlist(self) -> bool:
        entry = self.waitlist_entry
        return entry is not None and entry.status == WaitlistEntry.Status.WAITING

    @property
    def can_join_waitlist(self) -> bool:
        """Full (and otherwise bookable): the booking button becomes "Join the waitlist"."""
        return self.closed_reason == FULL and not (
            self.is_coach or self.is_attendee or self.is_holding or self.on_waitlist
        )

    @property
    def cancelled_own_seat(self) -> bool:
        r = self.registration
        return r is not None and r.status == Status.CANCELLED and r.cancelled_by_attendee

    @property
    def can_book(self) -> bool:
        return not (self.is_coach or self.is_attendee or self.is_holding or self.closed_reason)

    @property
    def panel(self) -> str:
        """Which face the booking panel shows."""
        r = self.registration
        if self.is_coach:
            return "coach"
        if self.is_attendee:
            return "booked"
        if self.is_holding:
            payment = r.payment
            if payment is None or payment.status in ("pending", "failed", "draft"):
                return "pay"
            return "confirming"
        return "book"


FULL = "Webinar full."


def _closed_reason(webinar: Webinar, quote: pricing.Quote, now: datetime) -> str:
    if webinar.status == Webinar.Status.CANCELLED:
        return "This webinar has been cancelled."
    if webinar.status not in Webinar.BOOKABLE_STATUSES:
        return "Booking is not open for this webinar."
    if webinar.starts_at is None:
        return "This webinar has no date yet."
    if webinar.starts_at <= now:
        return "Booking closed: the webinar has started."
    if webinar.live_count >= webinar.max_attendees:
        return FULL
    if not quote.is_set:
        return "Booking is not available: the price is not set up yet."
    return ""


def booking_state(*, webinar: Webinar, user, now: datetime) -> BookingState:
    """`webinar` comes from `with_counts` with coach__user selected."""
    registration = None
    authenticated = user is not None and user.is_authenticated
    if authenticated:
        registration = (
            Registration.objects.filter(webinar_id=webinar.pk, user_id=user.pk)
            .select_related("payment")
            .order_by("-created_at", "-pk")
            .first()
        )
    quote = pricing.quote(webinar, now=now)
    entry, position = (None, 0)
    if authenticated:
        entry, position = waitlist_place(webinar_id=webinar.pk, user=user)
    return BookingState(
        webinar=webinar,
        quote=quote,
        registration=registration,
        is_coach=authenticated and webinar.coach.user_id == user.pk,
        is_staff_viewer=authenticated and user.sees_everything,
        closed_reason=_closed_reason(webinar, quote, now),
        now=now,
        waitlist_entry=entry,
        waitlist_position=position,
    )


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


def visible_webinar(*, webinar_id: int, user, now: datetime) -> Webinar | None:
    """The webinar with counts, or None if it does not exist or is a draft the viewer may
    not see (drafts: the coach and staff only)."""
    webinar = (
        with_counts(Webinar.objects.select_related("coach__user"), now=now)
        .filter(pk=webinar_id)
        .first()
    )
    if webinar is None:
        return None
    if webinar.status == Webinar.Status.DRAFT:
        authenticated = user is not None and user.is_authenticated
        if not authenticated or not (user.sees_everything or webinar.coach.user_id == user.pk):
            return None
    return webinar


def webinar_detail_context(*, webinar: Webinar, user, now: datetime | None = None) -> dict:
    """Context of webinars/detail.html and all its partials for one viewer."""
    now = now or timezone.now()
    state = booking_state(webinar=webinar, user=user, now=now)
    materials = list(webinar.materials.all()) if state.can_access_content else []
    from webinars.policy import terms_text

    return {
        "webinar": webinar,
        "state": state,
        "quote": state.quote,
        "terms": terms_text(webinar),
        "waitlist_count": waitlist_count(webinar_id=webinar.pk)
        if (state.is_coach or state.is_staff_viewer)
        else 0,
        "materials": materials,
        "viewer": user,
        "panel_url": reverse("webinars:panel", args=[webinar.pk]),
        "cancel_url": reverse("webinars:hold_cancel", args=[webinar.pk]),
    }


def webinar_live_context(*, webinar: Webinar, user) -> dict:
    """For notifications.live: the same context the page renders its partials with."""
    now = timezone.now()
    fresh = visible_webinar(webinar_id=webinar.pk, user=user, now=now) or with_counts(
        Webinar.objects.select_related("coach__user"), now=now
    ).get(pk=webinar.pk)
    return webinar_detail_context(webinar=fresh, user=user, now=now)


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
    """Open webinars not ended yet, with counts: ordered by `starts_at` it is a LIMIT over the
    partial index `webinar_open_starts_at` (closed and completed webinars are not in it)."""
    return with_counts(
        blocks.hide_blocked(
            Webinar.objects.filter(status__in=Webinar.BOOKABLE_STATUSES, ends_at__gt=now),
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


def can_access_content(*, webinar: Webinar, user) -> bool:
    """Join link and materials: confirmed attendees, the webinar's coach, platform staff."""
    if user is None or not user.is_authenticated:
        return False
    if user.sees_everything or webinar.coach.user_id == user.pk:
        return True
    return Registration.objects.filter(
        webinar_id=webinar.pk, user_id=user.pk, status=Status.CONFIRMED
    ).exists()


def material_of(*, webinar_id: int, material_id: int) -> Material | None:
    return (
        Material.objects.select_related("webinar__coach")
        .filter(pk=material_id, webinar_id=webinar_id)
        .first()
    )


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
    return (
        Registration.objects.filter(user=user)
        .select_related("webinar__coach__user", "payment")
        .prefetch_related("webinar__materials", "waitlist_entries")
        .annotate(starts_at=F("webinar__starts_at"), ends_at=F("webinar__ends_at"))
    )


def _not_over_q(now: datetime) -> Q:
    """ends_at >= now or no date (the webinar's stored end)."""
    return Q(webinar__ends_at__gte=now) | Q(webinar__ends_at__isnull=True)


def _upcoming_q(now: datetime) -> Q:
    return _live_q(now) & _not_over_q(now)


def _past_q(now: datetime) -> Q:
    """Ended (live seats of a webinar that is over) or lost (refunded, cancelled)."""
    return (_live_q(now) & ~_not_over_q(now)) | _was_booked_q()


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


@dataclass
class CancellationPreview:
    """What cancelling `webinar` would do now (the confirmation step shows it)."""

    webinar: Webinar
    refund_count: int
    refund_total: Decimal
    free_attendees: int
    held_seats: int


def cancellation_preview(*, webinar: Webinar, now: datetime | None = None) -> CancellationPreview:
    """Counts and refund total over the live registrations (one query)."""
    now = now or timezone.now()
    refund_count, refund_total, free, held = 0, Decimal("0"), 0, 0
    registrations = Registration.objects.filter(
        webinar_id=webinar.pk, status__in=Registration.LIVE_STATUSES
    ).select_related("payment")
    for registration in registrations:
        payment = registration.payment
        if registration.status == Status.HELD:
            held += 1 if registration.hold_expires_at and registration.hold_expires_at > now else 0
        elif payment is not None and payment.status in REFUNDABLE_PAYMENT_STATUSES:
            refund_count += 1
            refund_total += payment.refundable_amount
        else:
            free += 1
    return CancellationPreview(webinar, refund_count, refund_total, free, held)


BUSY_SOURCE = "webinars"


def webinar_busy_time(*, coach_id: int, window_start: datetime, window_end: datetime):
    """The coach's webinar slots in a window (cancelled webinars free their time), for
    core.busy_time: 1:1 booking treats them as busy."""
    from core.busy_time import BusyBlock

    slots = (
        WebinarSlot.objects.filter(
            webinar__coach_id=coach_id, start__lt=window_end, end__gt=window_start
        )
        .exclude(webinar__status=Webinar.Status.CANCELLED)
        .only("start", "end")
    )
    return [BusyBlock(slot.start, slot.end, "webinar") for slot in slots]


def webinar_for_editor(*, webinar_id: int, user, now: datetime) -> Webinar | None:
    """The coach's own webinar with counts, its slots and materials; None for anyone else's
    (the editor answers 404, not 403: another coach's webinar is not there for you)."""
    coach = getattr(user, "coach_profile", None) if user.is_authenticated else None
    if coach is None:
        return None
    return (
        with_counts(Webinar.objects.filter(coach=coach).select_related("coach__user"), now=now)
        .prefetch_related("slots", "materials")
        .filter(pk=webinar_id)
        .first()
    )
