"""Cancellation (with its refund preview) and reschedule."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from bookings import scheduling, selectors
from bookings.errors import (
    InvalidTime,
    PriceChanged,
)
from bookings.locks import lock_booking_with_coach
from bookings.models import Booking
from bookings.policy import RefundDecision, cancellation_refund, reschedule_deadline
from bookings.services import availability
from bookings.services.booking_create import check_free
from bookings.services.notify import booking_event
from bookings.services.transitions.common import require_client, require_status, settle_refund

if TYPE_CHECKING:
    from accounts.models import User
    from bookings.guest_links import GuestActor


# --- cancellation and reschedule --------------------------------------------------------------


@dataclass
class CancelPreview:
    booking: Booking
    by_coach: bool
    refund: RefundDecision
    # False when the payment was not captured yet at cancellation (a coach's accept is
    # capturing): that capture's finalization settles the refund, exactly once.
    settle_now: bool = True


def cancel_preview(
    *, user: User | GuestActor, booking: Booking, now: dt.datetime | None = None
) -> CancelPreview:
    """What a cancellation by `user` would refund now (shown before they confirm)."""
    now = now or timezone.now()
    by_coach = booking.coach.user_id == user.pk
    if not by_coach:
        require_client(booking, user)
    require_status(booking, Booking.Status.CONFIRMED, action="cancelled")
    if booking.start <= now:
        raise InvalidTime("This session has already started; it can no longer be cancelled.")
    # The price the client pays for the session (a price-change refund already lowered it).
    paid = booking.amount_total if booking.payment_id else Decimal("0")
    refund = cancellation_refund(
        paid=paid,
        currency=booking.currency,
        start=booking.start,
        now=now,
        session_type=booking.session_type,
        by_coach=by_coach,
    )
    return CancelPreview(booking, by_coach, refund)


def booking_cancel(
    *, user: User | GuestActor, booking_id: int, reason: str = "", now: dt.datetime | None = None
) -> CancelPreview:
    preview = _cancel(user=user, booking_id=booking_id, reason=reason, now=now or timezone.now())
    if preview.refund.amount > 0 and preview.settle_now:
        settle_refund(booking_id)
    return preview


@transaction.atomic(durable=True)  # its caller calls Stripe next: no outer lock
def _cancel(
    *, user: User | GuestActor, booking_id: int, reason: str, now: dt.datetime
) -> CancelPreview:
    booking = lock_booking_with_coach(booking_id)
    preview = cancel_preview(user=user, booking=booking, now=now)
    # Read under the coach lock: a capture finalizing now waits for this lock in
    # on_succeeded, so "not captured" here means that finalization will see the cancellation.
    preview.settle_now = _payment_captured(booking)
    booking.status = (
        Booking.Status.CANCELLED_BY_COACH
        if preview.by_coach
        else Booking.Status.CANCELLED_BY_CLIENT
    )
    booking.cancelled_at = now
    booking.refund_amount += preview.refund.amount
    if preview.by_coach:
        booking.coach_message = reason.strip()
    else:
        booking.client_message = reason.strip() or booking.client_message
    availability.restore(coach=booking.coach, pieces=booking.consumed_availability, now=now)
    booking.save()
    booking_event(
        booking,
        booking.status,
        reason=reason.strip(),
        refund_amount=preview.refund.amount,
        cancelled_by_name=user.display_name,
    )
    return preview


def _payment_captured(booking: Booking) -> bool:
    from payments.finalize import PAID
    from payments.models import Payment

    if booking.payment_id is None:
        return False
    return Payment.objects.filter(pk=booking.payment_id, status__in=PAID).exists()


@transaction.atomic
def booking_reschedule(
    *, user: User | GuestActor, booking_id: int, start: dt.datetime, now: dt.datetime | None = None
) -> Booking:
    """Move a confirmed session to another free time, same duration, no second payment. Only
    while a cancellation would still be fully refunded, and only at an unchanged price."""
    now = now or timezone.now()
    booking = lock_booking_with_coach(booking_id)
    require_client(booking, user)
    selectors.require_not_blocked(user, booking.coach)
    require_status(booking, Booking.Status.CONFIRMED, action="rescheduled")
    if now >= reschedule_deadline(start=booking.start, session_type=booking.session_type):
        raise InvalidTime(
            f"Sessions can be moved up to {booking.session_type.full_refund_hours} hours "
            "before they start. "
            "You can still cancel it."
        )
    if start == booking.start:
        raise InvalidTime("Pick a different time.", field="start")
    end = selectors.validate_time_rules(
        session_type=booking.session_type, start=start, duration=booking.duration_minutes, now=now
    )
    _covering_slots_excluding(booking, start, end)
    check_free(booking.coach, booking.session_type, start, end, exclude_booking_id=booking.pk)
    quote = selectors.quote_session(
        coach=booking.coach,
        session_type=booking.session_type,
        start=start,
        end=end,
        code=booking.discount_code,
    )
    if quote.total != booking.amount_total:
        raise PriceChanged(
            f"At the new time this session costs {quote.currency} {quote.total} instead of "
            f"{booking.currency} {booking.amount_total}. Cancel and book the new time instead."
        )
    previous_start = booking.start
    availability.restore(coach=booking.coach, pieces=booking.consumed_availability, now=now)
    booking.consumed_availability = availability.carve(coach=booking.coach, start=start, end=end)
    booking.start, booking.end = start, end
    booking.price_snapshot = quote.breakdown
    booking.save()
    booking_event(booking, "rescheduled", previous_start=previous_start)
    return booking


def _covering_slots_excluding(booking: Booking, start: dt.datetime, end: dt.datetime) -> None:
    """The new time must be free availability, or the booking's own current time."""
    own = [
        (dt.datetime.fromisoformat(p["start"]), dt.datetime.fromisoformat(p["end"]))
        for p in booking.consumed_availability
    ]
    slots = selectors.load_schedule(
        coach=booking.coach, session_type=booking.session_type, window_start=start, window_end=end
    ).slots
    if not scheduling.covers([(s.start, s.end) for s in slots] + own, start, end):
        raise InvalidTime(
            "The coach is not available at this time. Pick one of the offered times.", field="start"
        )
