"""The booking panel: whether and how a person can book a webinar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from webinars import pricing
from webinars.models import Registration, WaitlistEntry, Webinar
from webinars.selectors.counts import Status
from webinars.selectors.waitlist import waitlist_place

if TYPE_CHECKING:
    from webinars.selectors.counts import CountedWebinar


@dataclass
class BookingState:
    """Everything the detail page and the booking panel decide for one viewer."""

    webinar: CountedWebinar
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
        if r is not None and self.is_holding:  # holding implies a registration
            payment = r.payment
            if payment is None or payment.status in ("pending", "failed", "draft"):
                return "pay"
            return "confirming"
        return "book"


FULL = "Webinar full."


def _closed_reason(webinar: CountedWebinar, quote: pricing.Quote, now: datetime) -> str:
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


def booking_state(*, webinar: CountedWebinar, user, now: datetime) -> BookingState:
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
