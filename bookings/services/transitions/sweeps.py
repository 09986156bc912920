"""Time passes: complete past sessions, expire unanswered requests, late payments."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from bookings.errors import (
    BookingError,
    InvalidTime,
    SlotUnavailable,
)
from bookings.locks import lock_booking_with_coach
from bookings.models import Booking
from bookings.services import availability
from bookings.services.booking_create import check_free, covering_slots
from bookings.services.notify import booking_event
from bookings.services.transitions.common import S, void_payment
from notifications import live

# --- time passes ----------------------------------------------------------------------------


def bookings_complete_past(*, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    return Booking.objects.filter(status=S.CONFIRMED, end__lte=now).update(
        status=S.COMPLETED, updated_at=now
    )


def bookings_expire(*, now: dt.datetime | None = None) -> int:
    """Unpaid holds past their deadline and requests nobody answered in time: give the time
    back and cancel the payment intent / authorization. The client is never charged."""
    now = now or timezone.now()
    stale = list(
        Booking.objects.filter(status=S.PAYMENT_PENDING, hold_expires_at__lte=now).values_list(
            "pk", flat=True
        )
    ) + list(
        Booking.objects.filter(
            status__in=[S.REQUESTED, S.TIME_SUGGESTED], request_expires_at__lte=now
        ).values_list("pk", flat=True)
    )
    expired = 0
    for booking_id in stale:
        booking = _expire_one(booking_id, now)
        if booking is not None:
            expired += 1
            void_payment(booking, "expired")
    return expired


@transaction.atomic
def _expire_one(booking_id: int, now: dt.datetime) -> Booking | None:
    try:
        booking = lock_booking_with_coach(booking_id)
    except BookingError:
        return None
    was = booking.status
    if (
        was == S.PAYMENT_PENDING
        and booking.hold_expires_at
        and booking.hold_expires_at <= now
        or was in (S.REQUESTED, S.TIME_SUGGESTED)
        and booking.request_expires_at
        and booking.request_expires_at <= now
    ):
        pass
    else:
        return None
    if was in (S.PAYMENT_PENDING, S.REQUESTED):
        availability.restore(coach=booking.coach, pieces=booking.consumed_availability, now=now)
    booking.status = S.EXPIRED
    booking.save(update_fields=["status", "updated_at"])
    if was == S.PAYMENT_PENDING:
        # An unpaid hold ran out: nothing to notify, but an open panel shows "Booking released".
        live.booking_changed(booking_id=booking.pk)
    else:
        booking_event(
            booking,
            "expired",
            message="The coach did not answer in time. You have not been charged.",
        )
    return booking


def rereserve_for_late_payment(booking: Booking, now: dt.datetime) -> bool:
    """A payment arrived after the hold expired: take the time again if it is still free.
    Caller holds the coach and booking locks."""
    try:
        covering_slots(booking.coach, booking.session_type, booking.start, booking.end)
        check_free(
            booking.coach,
            booking.session_type,
            booking.start,
            booking.end,
            exclude_booking_id=booking.pk,
        )
    except (InvalidTime, SlotUnavailable, BookingError):
        return False
    if booking.start <= now:
        return False
    booking.consumed_availability = availability.carve(
        coach=booking.coach, start=booking.start, end=booking.end
    )
    return True
