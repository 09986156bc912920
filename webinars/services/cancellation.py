"""Cancelling a webinar: every seat ends, every paid seat is refunded in full, everyone is told.

See `webinar_cancel`. Lock order as everywhere: payments, then the webinar, then its
registrations; Stripe is only called after commit (intent cancellation, refunds).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from payments.locks import lock_payments
from payments.models import Payment
from payments.services import payment_refund_later
from webinars import locks
from webinars.errors import (
    AlreadyCancelled,
    Busy,
    CannotCancel,
    NotAllowedToCancel,
    WebinarNotFound,
)
from webinars.models import Registration, Webinar
from webinars.services.seats import (
    LIVE,
    cancel_payment_after_commit,
    live_panels_push,
    webinar_starts_at,
)

if TYPE_CHECKING:
    from datetime import datetime


if TYPE_CHECKING:
    from accounts.models import User


@dataclass
class CancelResult:
    webinar: Webinar
    refunded: int = 0  # paid attendees whose money goes back
    refund_total: Decimal = Decimal("0")
    free_attendees: int = 0
    released_holds: int = 0


class _PaymentsMoved(Exception):
    """A seat was confirmed with a payment we had not locked: roll back and try again."""


def webinar_cancel(*, webinar_id: int, by: User, reason: str) -> CancelResult:
    """Cancel a webinar (its coach or platform staff) and give every attendee's money back.

    Locks in the project's fixed order: the payments of the paid and held seats (payment
    first, see payments/locks.py), then the webinar, then its registrations. Locking the held
    seats' payments too keeps their webhooks waiting until we commit (they then find the
    webinar cancelled and the money owed back), so payments arriving do not starve the
    cancellation. The payment ids are read without a lock; if a seat was confirmed with a
    payment we had not read (a hold paid in that instant), the transaction is rolled back and
    tried again with that payment locked too.
    In that transaction: status `cancelled`, holds released, paid seats `refunded` with the
    refund recorded as owed, everybody notified (rows written, sent on commit). After commit
    and outside any lock: held intents cancelled, refunds made through
    `payments.services.payment_refund` (ledger rows; `reconcile_payments` retries a refund
    Stripe refused), live updates. Call it with no transaction open.
    """
    _check_may_cancel(_webinar_or_404(webinar_id), by)
    reason = (reason or "").strip()
    for _attempt in range(3):
        payment_ids = sorted(
            Registration.objects.filter(
                webinar_id=webinar_id,
                status__in=LIVE,
                payment__isnull=False,
            ).values_list("payment_id", flat=True)
        )
        try:
            return _cancel_locked(
                webinar_id=webinar_id, by=by, reason=reason, payment_ids=payment_ids
            )
        except _PaymentsMoved:
            continue
    raise Busy()


def _webinar_or_404(webinar_id: int) -> Webinar:
    webinar = Webinar.objects.select_related("coach").filter(pk=webinar_id).first()
    if webinar is None:
        raise WebinarNotFound()
    return webinar


def _check_may_cancel(webinar: Webinar, by: User) -> None:
    if not (by.sees_everything or webinar.coach.user_id == by.pk):
        raise NotAllowedToCancel()
    if webinar.status == Webinar.Status.CANCELLED:
        raise AlreadyCancelled()
    if webinar.status == Webinar.Status.COMPLETED:
        raise CannotCancel()
    starts_at = webinar_starts_at(webinar.pk)
    if starts_at is not None and starts_at <= timezone.now():
        # It is taking (or took) place: the attendees got what they paid for.
        raise CannotCancel("This webinar has already started; it can no longer be cancelled.")


@transaction.atomic(durable=True)  # its caller calls Stripe next: no outer lock
def _cancel_locked(
    *, webinar_id: int, by: User, reason: str, payment_ids: list[int]
) -> CancelResult:
    # keyed by pk; looked up by registration.payment_id, None for a free seat (no payment)
    payments: dict[int | None, Payment] = {
        payment.pk: payment for payment in lock_payments(payment_ids)
    }
    webinar = locks.lock_webinar(webinar_id)
    _check_may_cancel(webinar, by)
    registrations = locks.lock_registrations(webinar_id=webinar.pk, status__in=LIVE)
    if any(
        r.status == Registration.Status.CONFIRMED and r.payment_id and r.payment_id not in payments
        for r in registrations
    ):
        raise _PaymentsMoved()
    now = timezone.now()
    webinar.status = Webinar.Status.CANCELLED
    webinar.cancelled_at = now
    webinar.cancellation_reason = reason
    webinar.save(update_fields=["status", "cancelled_at", "cancellation_reason", "updated_at"])
    result = CancelResult(webinar=webinar)
    by_staff = webinar.coach.user_id != by.pk
    for registration in registrations:
        registration.webinar = webinar
        outcome = _end_for_cancellation(
            registration, payments.get(registration.payment_id), now, result
        )
        _notify_attendee_of_cancellation(registration, outcome, reason=reason, by_staff=by_staff)
        live_panels_push(None, registration.pk)
    from webinars.services.waitlist import waitlist_end

    waitlist_end(webinar=webinar, now=now)
    _notify_coach_of_cancellation(result, reason=reason, by_staff=by_staff)
    live_panels_push(webinar.pk, None)
    return result


@dataclass(frozen=True)
class _Ended:
    hold_released: bool = False
    refund_amount: Decimal | None = None


def _end_for_cancellation(
    registration: Registration, payment: Payment | None, now: datetime, result: CancelResult
) -> _Ended:
    """Caller holds the payment, webinar and registration locks."""
    registration.ended_at = now
    if registration.status == Registration.Status.HELD:
        outcome = _Ended(hold_released=True)
        registration.status = Registration.Status.CANCELLED
        result.released_holds += 1
        if registration.payment_id:
            cancel_payment_after_commit(registration.payment_id, "webinar cancelled")
    elif payment is not None and payment.status in (
        Payment.Status.COMPLETED,
        Payment.Status.PARTIALLY_REFUNDED,
    ):
        outcome = _Ended(refund_amount=payment.refundable_amount)
        registration.status = Registration.Status.REFUNDED
        result.refunded += 1
        result.refund_total += payment.refundable_amount
        payment_refund_later(payment=payment, reason="Webinar cancelled")
    else:
        outcome = _Ended()  # a free seat: nothing to refund
        registration.status = Registration.Status.CANCELLED
        result.free_attendees += 1
    registration.save(update_fields=["status", "ended_at", "updated_at"])
    return outcome


def _notify_attendee_of_cancellation(
    registration: Registration, outcome: _Ended, *, reason: str, by_staff: bool
) -> None:
    from notifications.services import notify
    from notifications.types import NotificationType

    context = {"reason": reason, "by_staff": by_staff}
    if outcome.refund_amount:
        context["refund_amount"] = outcome.refund_amount
    if outcome.hold_released:
        context["hold_released"] = True
    notify(
        recipient=registration.user,
        type=NotificationType.WEBINAR_CANCELLED,
        target=registration,
        context=context,
        # Never booked: told in the app (their open page updates); no calendar entry to remove.
        channels={"in_app"} if outcome.hold_released else None,
    )


def _notify_coach_of_cancellation(result: CancelResult, *, reason: str, by_staff: bool) -> None:
    from notifications.services import notify
    from notifications.types import NotificationType

    webinar = result.webinar
    notify(
        recipient=webinar.coach.user,
        type=NotificationType.WEBINAR_CANCELLED,
        target=webinar,
        context={
            "reason": reason,
            "by_staff": by_staff,
            "for_coach": True,
            "refund_count": result.refunded,
            "refund_total": result.refund_total,
        },
    )
