"""Guards and the Stripe steps (never under a lock) shared by every transition."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction

from bookings.errors import (
    InvalidTransition,
    NotAllowed,
    PaymentProblem,
)
from bookings.locks import lock_booking_with_coach
from bookings.models import Booking
from bookings.services.notify import booking_event

if TYPE_CHECKING:
    from accounts.models import User
    from bookings.guest_links import GuestActor


logger = logging.getLogger(__name__)
MAX_SUGGESTIONS = 5


def require_coach(booking: Booking, user: User) -> None:
    if booking.coach.user_id != user.pk:
        raise NotAllowed("Only the coach of this booking can do that.")


def require_client(booking: Booking, user: User | GuestActor) -> None:
    """The booking's client account, or the holder of its guest link (a GuestActor, which the
    guest views make only from a valid signed link) for a booking without an account."""
    from bookings.guest_links import GuestActor

    if isinstance(user, GuestActor):
        if user.booking_id == booking.pk and booking.client_id is None:
            return
        raise NotAllowed("This link is not for this booking.")
    if not getattr(user, "is_authenticated", False) or booking.client_id != user.pk:
        raise NotAllowed("Only the client of this booking can do that.")


def require_status(booking: Booking, *allowed: str, action: str) -> None:
    if booking.status not in allowed:
        raise InvalidTransition(
            f"This booking is {booking.get_status_display().lower()}; it cannot be {action}."
        )


# --- Stripe steps (never under a lock) -------------------------------------------------------


def capture_payment(booking: Booking) -> None:
    """Take the authorized money. Raises PaymentProblem."""
    if booking.payment_id is None:
        return
    from payments.errors import PaymentError
    from payments.services import payment_capture

    try:
        payment_capture(payment_id=booking.payment_id)
    except PaymentError as exc:
        raise PaymentProblem.from_payment_error(exc, "The payment could not be taken.") from exc


def void_payment(booking: Booking, reason: str) -> None:
    """Cancel an authorization or unpaid intent; a failure is logged (reconciliation cancels
    abandoned intents), the booking's state already says the client owes nothing."""
    if booking.payment_id is None:
        return
    from payments.errors import PaymentError
    from payments.services import payment_cancel

    try:
        payment_cancel(payment_id=booking.payment_id, reason=reason)
    except PaymentError:
        logger.warning(
            "could not cancel the payment of booking %s (%s)", booking.pk, reason, exc_info=True
        )


def settle_refund(booking_id: int) -> Decimal:
    """Refund what the booking owes the client and was not refunded yet (booking.refund_amount
    is the total owed on its payment). Safe to repeat: the sweep `settle_owed_refunds` calls it
    again after a Stripe outage. Returns the amount refunded now."""
    from payments.errors import PaymentError
    from payments.models import Payment
    from payments.services import payment_refund

    booking = Booking.objects.select_related("payment").get(pk=booking_id)
    payment = booking.payment
    if payment is None or booking.refund_amount <= 0:
        return Decimal("0")
    if payment.status not in (Payment.Status.COMPLETED, Payment.Status.PARTIALLY_REFUNDED):
        return Decimal("0")  # not captured yet (webhook pending): the sweep comes back later
    owed = min(booking.refund_amount - payment.amount_refunded, payment.refundable_amount)
    if owed <= 0:
        return Decimal("0")
    try:
        payment_refund(
            payment_id=payment.pk,
            amount=owed,
            reason=f"Booking {booking.pk}: {booking.get_status_display()}",
        )
    except PaymentError:
        logger.warning("refund of booking %s failed; the sweep retries", booking.pk, exc_info=True)
        return Decimal("0")
    return owed


@transaction.atomic
def after_confirmation(booking_id: int, event: str, **context: Any) -> Booking:
    """Under the booking lock, so a cancellation's notice cannot be written between our check
    and ours: if the booking was cancelled while Stripe captured, its "cancelled" notice
    already went out and an "accepted" one now would contradict it."""
    lock_booking_with_coach(booking_id)
    booking = Booking.objects.select_related("coach__user", "client", "session_type").get(
        pk=booking_id
    )
    if booking.status == Booking.Status.CONFIRMED:
        booking_event(booking, event, **context)
    else:
        logger.info("booking %s is %s: no %r notice", booking.pk, booking.status, event)
    return booking
