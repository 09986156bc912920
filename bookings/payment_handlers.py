"""What Stripe's answers do to a 1:1 booking (registered for Payment.Purpose.SESSION_BOOKING).

The payments core calls these inside its transaction with the Payment row locked and already
updated; lock order is therefore payment, then coach, then booking. No Stripe calls here:
money that must go back is handed to `payment_refund_later`.
"""

from __future__ import annotations

import logging

from django.utils import timezone

from bookings.errors import BookingError
from bookings.locks import lock_booking_with_coach
from bookings.models import Booking
from bookings.services.notify import booking_event
from bookings.services.transitions import rereserve_for_late_payment
from core.oncommit import enqueue_on_commit
from notifications.live import booking_changed

logger = logging.getLogger(__name__)


def _booking_for(payment, intent) -> Booking | None:
    booking_id = (intent.get("metadata") or {}).get("booking_id")
    if not booking_id:
        booking_id = Booking.objects.filter(payment=payment).values_list("pk", flat=True).first()
    booking = _lock_named_booking(booking_id)
    if booking is None:
        logger.error(
            "STAFF ATTENTION: payment %s names no booking we know (%r)", payment.pk, booking_id
        )
        return None
    if booking.payment_id is None:
        booking.payment = payment  # the intent was paid before payment_open returned
    return booking


def _lock_named_booking(booking_id: int | str | None) -> Booking | None:
    """The booking locked with its coach, or None when nothing names one, the id is junk
    (metadata is free text) or no such booking exists."""
    if booking_id is None:
        return None
    try:
        return lock_booking_with_coach(int(booking_id))
    except (BookingError, TypeError, ValueError):
        return None


def _give_back(payment, booking: Booking, why: str) -> None:
    from payments.services import payment_refund_later

    payment_refund_later(payment=payment, reason=why)
    logger.warning("booking %s: payment %s goes back (%s)", booking.pk, payment.pk, why)


def on_succeeded(payment, intent) -> None:
    """Money captured: a FIRM booking is confirmed; an accepted request already is."""
    booking = _booking_for(payment, intent)
    if booking is None:
        return
    now = timezone.now()
    if booking.status in (Booking.Status.CONFIRMED, Booking.Status.COMPLETED):
        booking.save(update_fields=["payment", "updated_at"])
        return
    if booking.status in (Booking.Status.CANCELLED_BY_CLIENT, Booking.Status.CANCELLED_BY_COACH):
        # Accepted, then cancelled while Stripe captured: the money was owed, and the
        # cancellation already decided what goes back (booking.refund_amount, by policy).
        booking.save(update_fields=["payment", "updated_at"])
        _settle_after_commit(booking)
        return
    was_expired = booking.status == Booking.Status.EXPIRED
    if (
        was_expired
        and booking.booking_type == Booking.Type.FIRM
        and rereserve_for_late_payment(booking, now)
    ):
        booking.status = (
            Booking.Status.PAYMENT_PENDING
        )  # paid after the hold ran out, and the time is still free
    if (
        booking.status == Booking.Status.PAYMENT_PENDING
        and booking.booking_type == Booking.Type.FIRM
    ):
        booking.status = Booking.Status.CONFIRMED
        booking.confirmed_at = now
        booking.hold_expires_at = None
        booking.save()
        booking_event(booking, "confirmed")
        return
    booking.save(update_fields=["payment", "updated_at"])
    _give_back(payment, booking, f"booking is {booking.get_status_display().lower()}")
    if was_expired:
        booking_event(
            booking,
            "expired",
            message="The time was no longer free when your payment arrived. "
            "It is refunded in full.",
        )


def _settle_after_commit(booking: Booking) -> None:
    if booking.refund_amount <= 0:
        return
    from bookings.tasks import settle_booking_refund

    enqueue_on_commit(
        settle_booking_refund, booking.pk, retry_note="the settle_owed_refunds sweep does it later"
    )


def on_authorized(payment, intent) -> None:
    """Card authorized for a REQUEST: now the coach sees it in their inbox."""
    booking = _booking_for(payment, intent)
    if booking is None:
        return
    now = timezone.now()
    if booking.status == Booking.Status.EXPIRED and rereserve_for_late_payment(booking, now):
        booking.status = Booking.Status.PAYMENT_PENDING
    if booking.status != Booking.Status.PAYMENT_PENDING:
        if booking.status not in (
            Booking.Status.REQUESTED,
            Booking.Status.TIME_SUGGESTED,
            Booking.Status.CONFIRMED,
        ):
            booking.save(update_fields=["payment", "updated_at"])
            _give_back(payment, booking, "authorization for a booking that is no longer open")
        return
    booking.status = Booking.Status.REQUESTED
    booking.hold_expires_at = None
    booking.save()
    booking_event(booking, "requested")


def on_failed(payment, intent) -> None:
    """A declined card: the hold stays until it expires, so the client can try another card;
    the client is told (the browser may never have come back to show the decline)."""
    from notifications.services import notify
    from notifications.types import NotificationType

    booking = _booking_for(payment, intent)
    if booking is None or booking.status != Booking.Status.PAYMENT_PENDING:
        return  # nothing the client can still pay for
    booking.save(update_fields=["payment", "updated_at"])
    notify(
        recipient=booking.client,
        type=NotificationType.PAYMENT_FAILED,
        target=payment,
        context={"reason": payment.error_message, "link": booking.get_absolute_url()},
    )
    booking_changed(booking_id=booking.pk)


def on_refunded(payment, refund_amount) -> None:
    """Keep `refund_amount` (what the booking owes back) at least what was refunded, so the
    sweep never refunds a refund made in the Stripe dashboard a second time."""
    Booking.objects.filter(payment=payment, refund_amount__lt=payment.amount_refunded).update(
        refund_amount=payment.amount_refunded
    )
