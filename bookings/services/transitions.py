"""The booking state machine after creation (seed 002):

    requested      -> confirmed | declined | time_suggested      (coach: accept / decline / suggest)
    time_suggested -> confirmed | declined                        (client: pick a time / decline)
    confirmed      -> completed | cancelled_by_coach | cancelled_by_client
    (ours) payment_pending -> confirmed (FIRM paid) | requested (REQUEST authorized) | expired
    requested, time_suggested -> expired (nobody answered in time; the client is not charged)
    requested, time_suggested -> withdrawn                        (client takes the request back)

Pattern of every service here (STYLE.md): lock coach then booking, check, change, commit; then
call Stripe (capture, cancel, refund) through the payments core; then, if Stripe said no, lock
again and undo. Notifications go out on commit of the final state only.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from bookings import scheduling, selectors
from bookings.errors import (
    BookingError,
    InvalidTime,
    InvalidTransition,
    NotAllowed,
    PaymentProblem,
    PriceChanged,
    SlotUnavailable,
)
from bookings.guest_links import GuestActor
from bookings.locks import lock_booking_with_coach
from bookings.models import Booking, SuggestedTime
from bookings.policy import RefundDecision, cancellation_refund, reschedule_deadline
from bookings.services import availability
from bookings.services.booking_create import _check_free, _covering_slots
from bookings.services.notify import booking_event
from notifications import live

logger = logging.getLogger(__name__)
S = Booking.Status
MAX_SUGGESTIONS = 5


def _require_coach(booking: Booking, user) -> None:
    if booking.coach.user_id != user.pk:
        raise NotAllowed("Only the coach of this booking can do that.")


def _require_client(booking: Booking, user) -> None:
    """The booking's client account, or the holder of its guest link (a GuestActor, which the
    guest views make only from a valid signed link) for a booking without an account."""
    if isinstance(user, GuestActor):
        if user.booking_id == booking.pk and booking.client_id is None:
            return
        raise NotAllowed("This link is not for this booking.")
    if not getattr(user, "is_authenticated", False) or booking.client_id != user.pk:
        raise NotAllowed("Only the client of this booking can do that.")


def _require_status(booking: Booking, *allowed: str, action: str) -> None:
    if booking.status not in allowed:
        raise InvalidTransition(
            f"This booking is {booking.get_status_display().lower()}; it cannot be {action}."
        )


# --- Stripe steps (never under a lock) -------------------------------------------------------


def _capture(booking: Booking) -> None:
    """Take the authorized money. Raises PaymentProblem."""
    if booking.payment_id is None:
        return
    from payments.errors import PaymentError
    from payments.services import payment_capture

    try:
        payment_capture(payment_id=booking.payment_id)
    except PaymentError as exc:
        raise PaymentProblem.from_payment_error(exc, "The payment could not be taken.") from exc


def _void(booking: Booking, reason: str) -> None:
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


# --- coach answers a request ------------------------------------------------------------------


def booking_accept(*, user, booking_id: int, message: str = "") -> Booking:
    """Confirm (commit), capture at Stripe (no lock), then tell both sides. The client may
    cancel the confirmed booking while the capture is in flight: the capture's finalization
    then refunds what the policy promised (payment_handlers.on_succeeded), and "accepted" is
    not sent after "cancelled" (_after_confirmation re-checks under the lock)."""
    booking = _accept_reserve(user=user, booking_id=booking_id, message=message)
    try:
        _capture(booking)
    except PaymentProblem:
        if _accept_undo(booking_id) in (S.CANCELLED_BY_CLIENT, S.CANCELLED_BY_COACH):
            _void(booking, "cancelled while the capture failed")
        raise
    return _after_confirmation(booking_id, "accepted")


@transaction.atomic(durable=True)  # its caller calls Stripe next: no outer lock
def _accept_reserve(*, user, booking_id: int, message: str) -> Booking:
    booking = lock_booking_with_coach(booking_id)
    _require_coach(booking, user)
    _require_status(booking, S.REQUESTED, action="accepted")
    if booking.start <= timezone.now():
        raise InvalidTime("This session's time has passed; it can no longer be accepted.")
    booking.status = S.CONFIRMED
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
    if booking.status == S.CONFIRMED:
        booking.status = S.REQUESTED
        booking.confirmed_at = None
        booking.save(update_fields=["status", "confirmed_at", "updated_at"])
    return booking.status


@transaction.atomic
def _after_confirmation(booking_id: int, event: str, **context) -> Booking:
    """Under the booking lock, so a cancellation's notice cannot be written between our check
    and ours: if the booking was cancelled while Stripe captured, its "cancelled" notice
    already went out and an "accepted" one now would contradict it."""
    lock_booking_with_coach(booking_id)
    booking = Booking.objects.select_related("coach__user", "client", "session_type").get(
        pk=booking_id
    )
    if booking.status == S.CONFIRMED:
        booking_event(booking, event, **context)
    else:
        logger.info("booking %s is %s: no %r notice", booking.pk, booking.status, event)
    return booking


def booking_decline(*, user, booking_id: int, message: str = "") -> Booking:
    booking = _decline(user=user, booking_id=booking_id, message=message)
    _void(booking, "declined by coach")
    return booking


@transaction.atomic
def _decline(*, user, booking_id: int, message: str) -> Booking:
    booking = lock_booking_with_coach(booking_id)
    _require_coach(booking, user)
    _require_status(booking, S.REQUESTED, S.TIME_SUGGESTED, action="declined")
    if booking.status == S.REQUESTED:
        availability.restore(coach=booking.coach, pieces=booking.consumed_availability)
    booking.status = S.DECLINED
    booking.coach_message = message.strip()
    booking.request_expires_at = None
    booking.save(update_fields=["status", "coach_message", "request_expires_at", "updated_at"])
    booking_event(booking, "declined", message=booking.coach_message)
    return booking


@transaction.atomic
def booking_suggest(
    *, user, booking_id: int, starts: list[dt.datetime], message: str = ""
) -> Booking:
    """Offer other times (same duration). The requested time goes back on the calendar until
    the client picks one of the suggestions."""
    booking = lock_booking_with_coach(booking_id)
    _require_coach(booking, user)
    _require_status(booking, S.REQUESTED, action="answered with other times")
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
        _check_free(
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
    booking.status = S.TIME_SUGGESTED
    booking.coach_message = message.strip()
    booking.save(update_fields=["status", "consumed_availability", "coach_message", "updated_at"])
    booking_event(
        booking, "time_suggested", suggested_start=min(starts), message=booking.coach_message
    )
    return booking


# --- client answers a suggestion --------------------------------------------------------------


def booking_pick_suggestion(*, user, booking_id: int, suggestion_id: int) -> Booking:
    booking, previous_total = _pick(user=user, booking_id=booking_id, suggestion_id=suggestion_id)
    try:
        _capture(booking)
    except PaymentProblem:
        _pick_undo(booking_id)
        raise
    if booking.amount_total < previous_total:
        settle_refund(booking.pk)  # the new time is cheaper: the difference goes back
    return _after_confirmation(booking_id, "suggestion_accepted")


@transaction.atomic(durable=True)  # its caller calls Stripe next: no outer lock
def _pick(*, user, booking_id: int, suggestion_id: int) -> tuple[Booking, Decimal]:
    booking = lock_booking_with_coach(booking_id)
    _require_client(booking, user)
    selectors.require_not_blocked(user, booking.coach)
    _require_status(booking, S.TIME_SUGGESTED, action="confirmed")
    suggestion = booking.suggested_times.filter(pk=suggestion_id).first()
    if suggestion is None:
        raise BookingError("This is not one of the suggested times.", field="suggestion")
    if suggestion.start <= timezone.now():
        raise InvalidTime("This suggested time has passed. Ask the coach for another.")
    _check_free(
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
    booking.status = S.CONFIRMED
    booking.confirmed_at = timezone.now()
    booking.request_expires_at = None
    booking.save()
    return booking, previous_total


@transaction.atomic
def _pick_undo(booking_id: int) -> None:
    booking = lock_booking_with_coach(booking_id)
    if booking.status != S.CONFIRMED:
        return
    availability.restore(coach=booking.coach, pieces=booking.consumed_availability)
    booking.consumed_availability = []
    booking.status = S.TIME_SUGGESTED
    booking.confirmed_at = None
    booking.refund_amount = Decimal("0")
    booking.save()


def booking_decline_suggestion(*, user, booking_id: int, message: str = "") -> Booking:
    booking = _decline_suggestion(user=user, booking_id=booking_id, message=message)
    _void(booking, "suggestion declined by client")
    return booking


@transaction.atomic
def _decline_suggestion(*, user, booking_id: int, message: str) -> Booking:
    booking = lock_booking_with_coach(booking_id)
    _require_client(booking, user)
    _require_status(booking, S.TIME_SUGGESTED, action="declined")
    booking.status = S.DECLINED
    booking.client_message = message.strip() or booking.client_message
    booking.request_expires_at = None
    booking.save(update_fields=["status", "client_message", "request_expires_at", "updated_at"])
    booking_event(
        booking,
        "suggestion_declined",
        message=message.strip() or "The client declined the suggested times.",
    )
    return booking


def booking_withdraw(*, user, booking_id: int, message: str = "") -> Booking:
    """The client takes back a pending request (POST /bookings/<id>/withdraw/): the time goes
    back on the calendar, the coach is told, and after commit the card authorization is
    cancelled at Stripe (never captured). Racing the coach's accept, exactly one wins: both
    take the coach and booking locks and check the status, so the later one finds the booking
    confirmed (InvalidTransition: a confirmed session is cancelled, with the cancellation
    policy) or withdrawn (the coach's accept is refused and nothing is captured)."""
    booking = _withdraw(user=user, booking_id=booking_id, message=message)
    _void(booking, "withdrawn by client")
    return booking


@transaction.atomic(durable=True)  # its caller calls Stripe next: no outer lock
def _withdraw(*, user, booking_id: int, message: str) -> Booking:
    booking = lock_booking_with_coach(booking_id)
    _require_client(booking, user)
    if booking.status in (S.CONFIRMED, S.COMPLETED):
        raise InvalidTransition(
            "This booking is already confirmed, so it can no longer be withdrawn. Cancel it "
            "instead (the cancellation policy decides the refund).",
            code="already_confirmed",
        )
    _require_status(booking, S.REQUESTED, S.TIME_SUGGESTED, action="withdrawn")
    if booking.status == S.REQUESTED:  # a suggestion already gave the requested time back
        availability.restore(coach=booking.coach, pieces=booking.consumed_availability)
    booking.consumed_availability = []
    booking.status = S.WITHDRAWN
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


# --- cancellation and reschedule --------------------------------------------------------------


@dataclass
class CancelPreview:
    booking: Booking
    by_coach: bool
    refund: RefundDecision
    # False when the payment was not captured yet at cancellation (a coach's accept is
    # capturing): that capture's finalization settles the refund, exactly once.
    settle_now: bool = True


def cancel_preview(*, user, booking: Booking, now: dt.datetime | None = None) -> CancelPreview:
    """What a cancellation by `user` would refund now (shown before they confirm)."""
    now = now or timezone.now()
    by_coach = booking.coach.user_id == user.pk
    if not by_coach:
        _require_client(booking, user)
    _require_status(booking, S.CONFIRMED, action="cancelled")
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
    *, user, booking_id: int, reason: str = "", now: dt.datetime | None = None
) -> CancelPreview:
    preview = _cancel(user=user, booking_id=booking_id, reason=reason, now=now or timezone.now())
    if preview.refund.amount > 0 and preview.settle_now:
        settle_refund(booking_id)
    return preview


@transaction.atomic(durable=True)  # its caller calls Stripe next: no outer lock
def _cancel(*, user, booking_id: int, reason: str, now: dt.datetime) -> CancelPreview:
    booking = lock_booking_with_coach(booking_id)
    preview = cancel_preview(user=user, booking=booking, now=now)
    # Read under the coach lock: a capture finalizing now waits for this lock in
    # on_succeeded, so "not captured" here means that finalization will see the cancellation.
    preview.settle_now = _payment_captured(booking)
    booking.status = S.CANCELLED_BY_COACH if preview.by_coach else S.CANCELLED_BY_CLIENT
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
    *, user, booking_id: int, start: dt.datetime, now: dt.datetime | None = None
) -> Booking:
    """Move a confirmed session to another free time, same duration, no second payment. Only
    while a cancellation would still be fully refunded, and only at an unchanged price."""
    now = now or timezone.now()
    booking = lock_booking_with_coach(booking_id)
    _require_client(booking, user)
    selectors.require_not_blocked(user, booking.coach)
    _require_status(booking, S.CONFIRMED, action="rescheduled")
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
    _check_free(booking.coach, booking.session_type, start, end, exclude_booking_id=booking.pk)
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


def _covering_slots_excluding(booking: Booking, start, end) -> None:
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
            _void(booking, "expired")
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
        _covering_slots(booking.coach, booking.session_type, booking.start, booking.end)
        _check_free(
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
