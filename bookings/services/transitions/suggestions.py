"""The client answers a suggestion (pick a time, decline) or withdraws the request."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from accounts import suspension
from bookings import selectors
from bookings.errors import (
    AccountSuspended,
    BookingError,
    InvalidTime,
    InvalidTransition,
    PaymentProblem,
)
from bookings.locks import lock_booking_with_coach
from bookings.models import Booking
from bookings.services import availability
from bookings.services.booking_create import check_free
from bookings.services.notify import booking_event
from bookings.services.transitions.common import (
    after_confirmation,
    capture_payment,
    require_client,
    require_status,
    settle_refund,
    void_payment,
)

if TYPE_CHECKING:
    from accounts.models import User
    from bookings.guest_links import GuestActor


# --- client answers a suggestion --------------------------------------------------------------


def booking_pick_suggestion(*, user: User, booking_id: int, suggestion_id: int) -> Booking:
    booking, previous_total = _pick(user=user, booking_id=booking_id, suggestion_id=suggestion_id)
    try:
        capture_payment(booking)
    except PaymentProblem:
        _pick_undo(booking_id)
        raise
    if booking.amount_total < previous_total:
        settle_refund(booking.pk)  # the new time is cheaper: the difference goes back
    return after_confirmation(booking_id, "suggestion_accepted")


@transaction.atomic(durable=True)  # its caller calls Stripe next: no outer lock
def _pick(*, user: User, booking_id: int, suggestion_id: int) -> tuple[Booking, Decimal]:
    booking = lock_booking_with_coach(booking_id)
    require_client(booking, user)
    selectors.require_not_blocked(user, booking.coach)
    if suspension.is_suspended(user):
        raise AccountSuspended(suspension.refusal_message(user))
    if suspension.is_suspended(booking.coach.user):
        raise AccountSuspended("This coach is not taking bookings at the moment.")
    require_status(booking, Booking.Status.TIME_SUGGESTED, action="confirmed")
    suggestion = booking.suggested_times.filter(pk=suggestion_id).first()
    if suggestion is None:
        raise BookingError("This is not one of the suggested times.", field="suggestion")
    if suggestion.start <= timezone.now():
        raise InvalidTime("This suggested time has passed. Ask the coach for another.")
    check_free(
        booking.coach,
        booking.session_type,
        suggestion.start,
        suggestion.end,
        exclude_booking_id=booking.pk,
    )
    quote = selectors.quote_session(
        coach=booking.coach,
        session_type=booking.session_type,
        start=suggestion.start,
        end=suggestion.end,
        code=booking.discount_code,
    )
    previous_total = booking.amount_total
    if quote.total <= previous_total:
        # Never more than the client authorized; a cheaper time refunds the difference.
        booking.price_snapshot = quote.breakdown
        booking.amount_total = quote.total
        booking.refund_amount = previous_total - quote.total if booking.payment_id else Decimal("0")
    booking.consumed_availability = availability.carve(
        coach=booking.coach, start=suggestion.start, end=suggestion.end
    )
    booking.start, booking.end = suggestion.start, suggestion.end
    booking.status = Booking.Status.CONFIRMED
    booking.confirmed_at = timezone.now()
    booking.request_expires_at = None
    booking.save()
    return booking, previous_total


@transaction.atomic
def _pick_undo(booking_id: int) -> None:
    booking = lock_booking_with_coach(booking_id)
    if booking.status != Booking.Status.CONFIRMED:
        return
    availability.restore(coach=booking.coach, pieces=booking.consumed_availability)
    booking.consumed_availability = []
    booking.status = Booking.Status.TIME_SUGGESTED
    booking.confirmed_at = None
    booking.refund_amount = Decimal("0")
    booking.save()


def booking_decline_suggestion(*, user: User, booking_id: int, message: str = "") -> Booking:
    booking = _decline_suggestion(user=user, booking_id=booking_id, message=message)
    void_payment(booking, "suggestion declined by client")
    return booking


@transaction.atomic
def _decline_suggestion(*, user: User, booking_id: int, message: str) -> Booking:
    booking = lock_booking_with_coach(booking_id)
    require_client(booking, user)
    require_status(booking, Booking.Status.TIME_SUGGESTED, action="declined")
    booking.status = Booking.Status.DECLINED
    booking.client_message = message.strip() or booking.client_message
    booking.request_expires_at = None
    booking.save(update_fields=["status", "client_message", "request_expires_at", "updated_at"])
    booking_event(
        booking,
        "suggestion_declined",
        message=message.strip() or "The client declined the suggested times.",
    )
    return booking


def booking_withdraw(*, user: User | GuestActor, booking_id: int, message: str = "") -> Booking:
    """The client takes back a pending request (POST /bookings/<id>/withdraw/): the time goes
    back on the calendar, the coach is told, and after commit the card authorization is
    cancelled at Stripe (never captured). Racing the coach's accept, exactly one wins: both
    take the coach and booking locks and check the status, so the later one finds the booking
    confirmed (InvalidTransition: a confirmed session is cancelled, with the cancellation
    policy) or withdrawn (the coach's accept is refused and nothing is captured)."""
    booking = _withdraw(user=user, booking_id=booking_id, message=message)
    void_payment(booking, "withdrawn by client")
    return booking


@transaction.atomic(durable=True)  # its caller calls Stripe next: no outer lock
def _withdraw(*, user: User | GuestActor, booking_id: int, message: str) -> Booking:
    booking = lock_booking_with_coach(booking_id)
    require_client(booking, user)
    if booking.status in (Booking.Status.CONFIRMED, Booking.Status.COMPLETED):
        raise InvalidTransition(
            "This booking is already confirmed, so it can no longer be withdrawn. Cancel it "
            "instead (the cancellation policy decides the refund).",
            code="already_confirmed",
        )
    require_status(
        booking, Booking.Status.REQUESTED, Booking.Status.TIME_SUGGESTED, action="withdrawn"
    )
    if (
        booking.status == Booking.Status.REQUESTED
    ):  # a suggestion already gave the requested time back
        availability.restore(coach=booking.coach, pieces=booking.consumed_availability)
    booking.consumed_availability = []
    booking.status = Booking.Status.WITHDRAWN
    booking.request_expires_at = None
    booking.client_message = message.strip() or booking.client_message
    booking.save(
        update_fields=[
            "status",
            "consumed_availability",
            "request_expires_at",
            "client_message",
            "updated_at",
        ]
    )
    booking_event(booking, "withdrawn", message=message.strip())
    return booking
