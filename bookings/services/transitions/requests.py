"""The coach answers a request: accept, decline, suggest other times."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from accounts import suspension
from bookings import scheduling
from bookings.errors import (
    AccountSuspended,
    InvalidTime,
    PaymentProblem,
)
from bookings.locks import lock_booking_with_coach
from bookings.models import Booking, SuggestedTime
from bookings.services import availability
from bookings.services.booking_create import check_free
from bookings.services.notify import booking_event
from bookings.services.transitions.common import (
    MAX_SUGGESTIONS,
    after_confirmation,
    capture_payment,
    require_coach,
    require_status,
    void_payment,
)

if TYPE_CHECKING:
    from accounts.models import User


# --- coach answers a request ------------------------------------------------------------------


def booking_accept(*, user: User, booking_id: int, message: str = "") -> Booking:
    """Confirm (commit), capture at Stripe (no lock), then tell both sides. The client may
    cancel the confirmed booking while the capture is in flight: the capture's finalization
    then refunds what the policy promised (payment_handlers.on_succeeded), and "accepted" is
    not sent after "cancelled" (after_confirmation re-checks under the lock)."""
    booking = _accept_reserve(user=user, booking_id=booking_id, message=message)
    try:
        capture_payment(booking)
    except PaymentProblem:
        if _accept_undo(booking_id) in (
            Booking.Status.CANCELLED_BY_CLIENT,
            Booking.Status.CANCELLED_BY_COACH,
        ):
            void_payment(booking, "cancelled while the capture failed")
        raise
    return after_confirmation(booking_id, "accepted")


@transaction.atomic(durable=True)  # its caller calls Stripe next: no outer lock
def _accept_reserve(*, user: User, booking_id: int, message: str) -> Booking:
    booking = lock_booking_with_coach(booking_id)
    require_coach(booking, user)
    if suspension.is_suspended(user):
        raise AccountSuspended(suspension.refusal_message(user))
    require_status(booking, Booking.Status.REQUESTED, action="accepted")
    if booking.start <= timezone.now():
        raise InvalidTime("This session's time has passed; it can no longer be accepted.")
    booking.status = Booking.Status.CONFIRMED
    booking.confirmed_at = timezone.now()
    booking.request_expires_at = None
    booking.coach_message = message.strip()
    booking.save(
        update_fields=[
            "status",
            "confirmed_at",
            "request_expires_at",
            "coach_message",
            "updated_at",
        ]
    )
    return booking


@transaction.atomic(durable=True)  # its caller calls Stripe next: no outer lock
def _accept_undo(booking_id: int) -> str:
    """The capture failed: the request goes back to the inbox, nothing was charged. Returns
    the booking's status (a cancellation may have come in meanwhile)."""
    booking = lock_booking_with_coach(booking_id)
    if booking.status == Booking.Status.CONFIRMED:
        booking.status = Booking.Status.REQUESTED
        booking.confirmed_at = None
        booking.save(update_fields=["status", "confirmed_at", "updated_at"])
    return booking.status


def booking_decline(*, user: User, booking_id: int, message: str = "") -> Booking:
    booking = _decline(user=user, booking_id=booking_id, message=message)
    void_payment(booking, "declined by coach")
    return booking


@transaction.atomic
def _decline(*, user: User, booking_id: int, message: str) -> Booking:
    booking = lock_booking_with_coach(booking_id)
    require_coach(booking, user)
    require_status(
        booking, Booking.Status.REQUESTED, Booking.Status.TIME_SUGGESTED, action="declined"
    )
    if booking.status == Booking.Status.REQUESTED:
        availability.restore(coach=booking.coach, pieces=booking.consumed_availability)
    booking.status = Booking.Status.DECLINED
    booking.coach_message = message.strip()
    booking.request_expires_at = None
    booking.save(update_fields=["status", "coach_message", "request_expires_at", "updated_at"])
    booking_event(booking, "declined", message=booking.coach_message)
    return booking


@transaction.atomic
def booking_suggest(
    *, user: User, booking_id: int, starts: list[dt.datetime], message: str = ""
) -> Booking:
    """Offer other times (same duration). The requested time goes back on the calendar until
    the client picks one of the suggestions."""
    booking = lock_booking_with_coach(booking_id)
    require_coach(booking, user)
    require_status(booking, Booking.Status.REQUESTED, action="answered with other times")
    if not starts:
        raise InvalidTime("Suggest at least one time.", field="times")
    if len(starts) > MAX_SUGGESTIONS:
        raise InvalidTime(f"Suggest at most {MAX_SUGGESTIONS} times.", field="times")
    length = booking.end - booking.start
    now = timezone.now()
    for start in sorted(set(starts)):
        if timezone.is_naive(start) or start <= now:
            raise InvalidTime("Suggested times must be in the future.", field="times")
        if not scheduling.on_grid(start):
            raise InvalidTime("Suggested times start on the quarter hour.", field="times")
        check_free(
            booking.coach,
            booking.session_type,
            start,
            start + length,
            exclude_booking_id=booking.pk,
        )
    availability.restore(coach=booking.coach, pieces=booking.consumed_availability)
    booking.consumed_availability = []
    booking.suggested_times.all().delete()
    SuggestedTime.objects.bulk_create(
        SuggestedTime(booking=booking, start=start, end=start + length)
        for start in sorted(set(starts))
    )
    booking.status = Booking.Status.TIME_SUGGESTED
    booking.coach_message = message.strip()
    booking.save(update_fields=["status", "consumed_availability", "coach_message", "updated_at"])
    booking_event(
        booking, "time_suggested", suggested_start=min(starts), message=booking.coach_message
    )
    return booking
