"""An attendee gives their webinar seat back (issue 15 #3).

`seat_cancel`: under the locks (payment, then webinar, then registration, the project's order)
the seat ends at once, what the webinar's terms refund (webinars/policy.py) is recorded on the
registration, the minimum-attendees status is recomputed, the freed seat is offered to the
waitlist, the attendee and the coach are told (all written in the transaction, sent on commit).
After commit and with no lock held, `seat_refund_settle` gives the money back through the
payments core; the sweep `settle_seat_refunds` retries it after a Stripe outage.
Two cancellations at once: the second finds the seat cancelled (409) and refunds nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from payments.locks import lock_payments
from payments.models import Payment
from webinars import locks
from webinars.errors import (
    NotAnAttendee,
    SeatAlreadyCancelled,
    SeatCancelClosed,
    WebinarNotFound,
)
from webinars.models import Registration, Webinar
from webinars.policy import SeatRefund, seat_refund
from webinars.services.seats import (
    expire_stale_holds,
    live_panels_push,
    minimum_attendees_sync,
    webinar_starts_at,
)

if TYPE_CHECKING:
    from accounts.models import User


logger = logging.getLogger(__name__)
REFUNDABLE = (Payment.Status.COMPLETED, Payment.Status.PARTIALLY_REFUNDED)


@dataclass
class SeatCancelPreview:
    registration: Registration
    refund: SeatRefund
    starts_at: datetime


def _attendee_seat(*, webinar_id: int, user: User) -> Registration:
    """The user's confirmed seat; 409 if they had one that is no longer live, 404 if never."""
    if not Webinar.objects.filter(pk=webinar_id).exists():
        raise WebinarNotFound()
    seats = Registration.objects.filter(webinar_id=webinar_id, user_id=user.pk).select_related(
        "payment", "webinar"
    )
    confirmed = seats.filter(status=Registration.Status.CONFIRMED).first()
    if confirmed is not None:
        return confirmed
    if seats.filter(confirmed_at__isnull=False).exists():
        raise SeatAlreadyCancelled()
    raise NotAnAttendee()


def _paid(payment: Payment | None) -> Decimal:
    if payment is None or payment.status not in REFUNDABLE:
        return Decimal("0")
    return payment.amount_total


def _preview(registration: Registration, now: datetime) -> SeatCancelPreview:
    starts_at = webinar_starts_at(registration.webinar_id)
    if starts_at is None or starts_at <= now:
        raise SeatCancelClosed()
    payment = registration.payment
    refund = seat_refund(
        paid=_paid(payment),
        currency=registration.currency,
        webinar=registration.webinar,
        start=starts_at,
        now=now,
    )
    if payment is not None and refund.amount > payment.refundable_amount:
        refund = SeatRefund(refund.percent, payment.refundable_amount, refund.explanation)
    return SeatCancelPreview(registration, refund, starts_at)


def seat_cancel_preview(
    *, webinar_id: int, user: User, now: datetime | None = None
) -> SeatCancelPreview:
    """What cancelling the user's seat would refund now (GET /webinars/<id>/cancel-seat/)."""
    registration = _attendee_seat(webinar_id=webinar_id, user=user)
    return _preview(registration, now or timezone.now())


def seat_cancel(*, webinar_id: int, user: User, now: datetime | None = None) -> SeatCancelPreview:
    """Cancel the user's seat and refund per the webinar's terms. Call with no transaction
    open (the refund reaches Stripe after commit)."""
    now = now or timezone.now()
    registration = _attendee_seat(webinar_id=webinar_id, user=user)
    result = _cancel_locked(registration_id=registration.pk, now=now)
    if result.refund.amount > 0:
        seat_refund_settle(registration_id=registration.pk)
    return result


@transaction.atomic(durable=True)  # its caller calls Stripe next: no outer lock
def _cancel_locked(*, registration_id: int, now: datetime) -> SeatCancelPreview:
    seat = Registration.objects.only("payment_id", "webinar_id").get(pk=registration_id)
    # A confirmed seat's payment never changes, so the id read before the lock is the one.
    payments = lock_payments([seat.payment_id]) if seat.payment_id else []
    webinar = locks.lock_webinar(seat.webinar_id)
    registration = locks.lock_registration(registration_id)
    registration.webinar = webinar
    registration.payment = payments[0] if payments else None
    if registration.status != Registration.Status.CONFIRMED:
        raise SeatAlreadyCancelled()  # cancelled meanwhile (a second click, another tab)
    preview = _preview(registration, now)
    registration.status = Registration.Status.CANCELLED
    registration.ended_at = now
    registration.refund_amount = preview.refund.amount
    registration.cancelled_by_attendee = True
    registration.save(
        update_fields=["status", "ended_at", "refund_amount", "cancelled_by_attendee", "updated_at"]
    )
    confirmed = minimum_attendees_sync(webinar=webinar)
    live_panels_push(webinar.pk, registration.pk)
    from webinars.services.waitlist import seats_offer

    expire_stale_holds(webinar=webinar, now=now)
    seats_offer(webinar=webinar, now=now)
    _notify(registration, preview, confirmed)
    return preview


def _notify(registration: Registration, preview: SeatCancelPreview, confirmed: int) -> None:
    from notifications.services import notify
    from notifications.types import NotificationType

    webinar = registration.webinar
    notify(
        recipient=registration.user,
        type=NotificationType.WEBINAR_SEAT_CANCELLED,
        target=registration,
        context={
            "refund_amount": preview.refund.amount,
            "refund_percent": preview.refund.percent,
            "explanation": preview.refund.explanation,
        },
    )
    notify(
        recipient=webinar.coach.user,
        type=NotificationType.WEBINAR_ATTENDEE_CANCELLED,
        target=registration,
        context={
            "attendee_name": registration.user.display_name,
            "count": confirmed,
            "max": webinar.max_attendees,
            "min": webinar.min_attendees,
            "below_minimum": webinar.status == Webinar.Status.PENDING_MINIMUM
            and webinar.min_attendees > 0,
        },
    )


def seat_refund_settle(*, registration_id: int) -> Decimal:
    """Refund what a cancelled seat is owed and was not refunded yet. The one call into the
    payments core's refund entry point for seat cancellations; safe to repeat (the sweep
    calls it again after a Stripe outage). Returns the amount refunded now."""
    from payments.errors import PaymentError
    from payments.services import payment_refund

    registration = Registration.objects.select_related("payment").get(pk=registration_id)
    payment = registration.payment
    if payment is None or registration.refund_amount <= 0 or payment.status not in REFUNDABLE:
        return Decimal("0")
    owed = min(registration.refund_amount - payment.amount_refunded, payment.refundable_amount)
    if owed <= 0:
        return Decimal("0")
    try:
        payment_refund(
            payment_id=payment.pk,
            amount=owed,
            reason=f"Webinar seat cancelled by the attendee (registration {registration.pk})",
        )
    except PaymentError:
        logger.warning(
            "refund of seat %s failed; the sweep retries", registration.pk, exc_info=True
        )
        return Decimal("0")
    return owed


def seat_refunds_settle() -> int:
    """Sweep (webinars.tasks.settle_seat_refunds): retry every seat refund still owed."""
    owed = Registration.objects.filter(
        cancelled_by_attendee=True,
        refund_amount__gt=0,
        payment__status__in=REFUNDABLE,
        payment__amount_refunded__lt=F("refund_amount"),
    ).values_list("pk", flat=True)
    return sum(1 for pk in owed if seat_refund_settle(registration_id=pk) > 0)
