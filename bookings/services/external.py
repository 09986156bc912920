"""Bookings made elsewhere (Calendly) and mirrored here, and the no-show mark.

An external booking already exists at its source, so none of our booking rules (notice,
availability, limits, price) can refuse it. It takes its time on the coach's calendar like any
booking: under the coach lock it carves the availability it covers and is stored CONFIRMED, a
blocking status the exclusion constraint sees. If the time is already taken here (one of our
bookings, a webinar) it is stored as CONFLICT instead, which blocks nothing, so it is never
silently dropped and the caller can flag it to the coach. No notifications are sent here: the
caller (integrations) tells people in its own words and sends no calendar invite.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from bookings import selectors
from bookings.errors import InvalidTransition, NotAllowed, NotFound
from bookings.locks import lock_booking_with_coach, lock_coach
from bookings.models import Booking, SessionType
from bookings.services import availability

if TYPE_CHECKING:
    from accounts.models import User


@transaction.atomic
def external_booking_create(
    *,
    coach_id: int,
    session_type_id: int,
    source: str,
    start: dt.datetime,
    end: dt.datetime,
    title: str,
    timezone_name: str,
    client: User | None = None,
    guest_name: str = "",
    guest_email: str = "",
    meeting_url: str = "",
    now: dt.datetime | None = None,
) -> Booking:
    """Store an external booking for the coach: CONFIRMED, or CONFLICT if its time is taken."""
    now = now or timezone.now()
    coach = lock_coach(coach_id)
    session_type = SessionType.objects.filter(pk=session_type_id, coach=coach).first()
    if session_type is None:
        raise NotFound("This session type does not exist.")
    booking = Booking(
        coach=coach,
        client=client,
        guest_name="" if client else guest_name[:150],
        guest_email="" if client else guest_email,
        source=source,
        session_type=session_type,
        title=(title or session_type.name)[:160],
        timezone=timezone_name or coach.user.timezone,
        booking_type=Booking.Type.FIRM,
        currency=coach.currency,
        amount_total=0,  # paid (if at all) at the source, never through us
        price_snapshot={},
        meeting_url=meeting_url[:500],
    )
    _place(booking, start=start, end=end, now=now)
    return booking


@transaction.atomic
def external_booking_move(
    *, booking_id: int, start: dt.datetime, end: dt.datetime, now: dt.datetime | None = None
) -> Booking:
    """Put an external booking at [start, end), confirmed again if it was cancelled (a
    reschedule whose cancellation arrived first). Gives back the time it held before."""
    now = now or timezone.now()
    booking = _lock_external(booking_id)
    if booking.status in Booking.BLOCKING_STATUSES:
        availability.restore(coach=booking.coach, pieces=booking.consumed_availability, now=now)
    booking.consumed_availability = []
    booking.cancelled_at = None
    _place(booking, start=start, end=end, now=now)
    return booking


@transaction.atomic
def external_booking_cancel(
    *, booking_id: int, by_coach: bool, reason: str = "", now: dt.datetime | None = None
) -> Booking:
    """Cancelled at the source: give its time back. Cancelling twice changes nothing."""
    now = now or timezone.now()
    booking = _lock_external(booking_id)
    if booking.status in (Booking.Status.CANCELLED_BY_CLIENT, Booking.Status.CANCELLED_BY_COACH):
        return booking
    if booking.status in Booking.BLOCKING_STATUSES:
        availability.restore(coach=booking.coach, pieces=booking.consumed_availability, now=now)
    booking.consumed_availability = []
    booking.status = (
        Booking.Status.CANCELLED_BY_COACH if by_coach else Booking.Status.CANCELLED_BY_CLIENT
    )
    booking.cancelled_at = now
    if by_coach:
        booking.coach_message = reason.strip()[:2000]
    else:
        booking.client_message = reason.strip()[:2000] or booking.client_message
    booking.save()
    return booking


NO_SHOW_STATUSES = (Booking.Status.CONFIRMED, Booking.Status.COMPLETED)


@transaction.atomic
def booking_no_show_set(
    *, booking_id: int, marked: bool, user: User | None = None, now: dt.datetime | None = None
) -> Booking:
    """Set or clear the no-show mark. With `user` (the coach on the booking page): only their
    own session, only once it has started. Without (Calendly's no-show events): as told."""
    now = now or timezone.now()
    booking = lock_booking_with_coach(booking_id)
    if user is not None:
        if booking.coach.user_id != user.pk:
            raise NotAllowed("Only the coach of this session can mark a no-show.")
        if booking.status not in NO_SHOW_STATUSES or booking.start > now:
            raise InvalidTransition(
                "A no-show can be marked only on a confirmed session that has started.",
                code="not_started",
            )
    if marked and booking.no_show_marked_at is None:
        booking.no_show_marked_at = now
    elif not marked:
        booking.no_show_marked_at = None
    booking.save(update_fields=["no_show_marked_at", "updated_at"])
    return booking


def _lock_external(booking_id: int) -> Booking:
    booking = lock_booking_with_coach(booking_id)
    if booking.source == Booking.Source.SITE or booking.source == Booking.Source.GUEST:
        raise InvalidTransition("This booking was made on this site.", code="not_external")
    return booking


def _overlaps_taken_time(booking: Booking, start: dt.datetime, end: dt.datetime) -> bool:
    """Direct overlap with time taken here (blocking bookings, webinars); buffers are the
    source's business. Caller holds the coach lock."""
    schedule = selectors.load_schedule(
        coach=booking.coach,
        session_type=None,
        window_start=start,
        window_end=end,
        exclude_booking_id=booking.pk,
    )
    return any(block.start < end and start < block.end for block in schedule.busy)


def _place(booking: Booking, *, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> None:
    """Caller holds the coach lock; the booking holds no time yet."""
    booking.start, booking.end = start, end
    if _overlaps_taken_time(booking, start, end):
        _save_as_conflict(booking)
        return
    booking.status = Booking.Status.CONFIRMED
    booking.confirmed_at = booking.confirmed_at or now
    pieces = availability.carve(coach=booking.coach, start=start, end=end)
    booking.consumed_availability = pieces
    try:
        with transaction.atomic():  # savepoint: the exclusion constraint is the second line
            booking.save()
    except IntegrityError as exc:
        if "booking_no_overlap" not in str(exc):
            raise
        availability.restore(coach=booking.coach, pieces=pieces, now=now)
        _save_as_conflict(booking)


def _save_as_conflict(booking: Booking) -> None:
    booking.status = Booking.Status.CONFLICT
    booking.consumed_availability = []
    booking.save()
