"""Refunds: now, or later by the sweep."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from payments import finalize
from payments.errors import (
    GatewayUnavailable,
    PaymentNotPayable,
)
from payments.models import Payment
from payments.money import quantize
from payments.services.intents import payment_cancel

if TYPE_CHECKING:
    from accounts.models import User


def payment_refund(
    *,
    payment_id: int,
    amount: Decimal | None = None,
    reason: str,
    notify: bool = True,
    policy: str = "standard",
    initiator: str = "system",
    actor: User | None = None,
    note: str = "",
) -> Payment:
    """The domains' entry point to the one refund service (payments.refunds.service): give
    money back, never more than is still refundable (a larger `amount` is cut to it). An
    authorized but uncaptured payment is cancelled instead (no money moved).

    An attempt still pending at Stripe on this payment is retried first and nothing else is
    refunded this time: the caller computed `amount` before that money was booked, so
    refunding it too could pay twice (its sweep comes back if more is owed)."""
    from payments.refunds.errors import RefundRefused
    from payments.refunds.models import Refund
    from payments.refunds.service import available_amount, refund_issue, refunds_retry_pending

    payment = Payment.objects.get(pk=payment_id)
    if payment.authorized_at is not None and payment.status not in finalize.PAID:
        payment = payment_cancel(payment_id=payment.pk, reason=reason)
        _clear_refund_owed(payment.pk)
        return payment
    if Refund.objects.filter(payment_id=payment.pk, status=Refund.Status.PENDING).exists():
        done, errors = refunds_retry_pending(payment_id=payment.pk)
        if errors:
            raise GatewayUnavailable("A refund of this payment is still pending at Stripe.")
        payment.refresh_from_db()
        if payment.status == Payment.Status.REFUNDED:
            _clear_refund_owed(payment.pk)
        return payment
    if payment.status == Payment.Status.REFUNDED:
        _clear_refund_owed(payment.pk)
        return payment  # nothing left to refund
    if payment.status not in (Payment.Status.COMPLETED, Payment.Status.PARTIALLY_REFUNDED):
        raise PaymentNotPayable("Only a completed payment can be refunded.", code="not_refundable")
    available = available_amount(payment)
    amount = available if amount is None else min(quantize(amount, payment.currency), available)
    if amount <= 0:
        _clear_refund_owed(payment.pk)
        return payment
    try:
        refund_issue(
            payment_id=payment.pk,
            amount=amount,
            policy=policy,
            initiator=initiator,
            actor=actor,
            reason=reason,
            note=note,
            notify=notify,
        )
    except RefundRefused as exc:
        if exc.code == "invalid_amount":  # refunded meanwhile by someone else
            _clear_refund_owed(payment.pk)
            return Payment.objects.get(pk=payment.pk)
        raise
    payment.refresh_from_db()
    return payment


def notify_refund(payment: Payment, amount: Decimal, reason: str) -> None:
    from notifications.services import notify
    from notifications.types import NotificationType

    notify(
        recipient=payment.payer,
        type=NotificationType.PAYMENT_REFUNDED,
        target=payment,
        context={"refund_amount": amount, "reason": reason},
    )


def _clear_refund_owed(payment_id: int) -> None:
    Payment.objects.filter(pk=payment_id).update(refund_owed_reason="")


def payment_refund_later(*, payment: Payment, reason: str, notify: bool = False) -> None:
    """Inside a transaction (a purpose handler): record that the whole payment must go back
    and refund it after commit. If Stripe is down then, reconcile_payments retries."""
    from core.oncommit import enqueue_on_commit
    from payments.tasks import refund_owed_payment

    payment.refund_owed_reason = reason[:255] or "Refund owed"
    payment.save(update_fields=["refund_owed_reason", "updated_at"])
    enqueue_on_commit(
        refund_owed_payment, payment.pk, notify, retry_note="reconcile_payments retries"
    )
