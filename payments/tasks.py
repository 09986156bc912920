"""Celery adapters: load by id, call a service, retry when Stripe is unreachable."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task

from payments.errors import GatewayUnavailable

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    autoretry_for=(GatewayUnavailable,),
    retry_backoff=30,
    max_retries=8,
    acks_late=True,
)
def refund_owed_payment(self: Any, payment_id: int, notify: bool = False) -> str:
    """Refund a payment marked as owing money back (seat gone, amount mismatch)."""
    from payments.models import Payment
    from payments.services import payment_refund

    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None or not payment.refund_owed_reason:
        return "nothing owed"
    try:
        payment = payment_refund(
            payment_id=payment_id, reason=payment.refund_owed_reason, notify=notify
        )
    except GatewayUnavailable:
        if self.request.is_eager:
            # In-process (embedded default): keep the request alive; reconcile_payments retries.
            logger.warning("refund of payment %s postponed: Stripe unreachable", payment_id)
            return "postponed"
        raise
    return payment.status


@shared_task(
    bind=True,
    autoretry_for=(GatewayUnavailable,),
    retry_backoff=30,
    max_retries=8,
    acks_late=True,
)
def cancel_payment(self: Any, payment_id: int, reason: str = "") -> str:
    """Cancel the intent of a released hold (Cancel button, expired hold)."""
    from payments.errors import PaymentError
    from payments.services import payment_cancel

    try:
        return payment_cancel(payment_id=payment_id, reason=reason).status
    except GatewayUnavailable:
        if self.request.is_eager:
            logger.warning("cancel of payment %s postponed: Stripe unreachable", payment_id)
            return "postponed"
        raise
    except PaymentError as exc:
        return exc.code


@shared_task
def reconcile_payments() -> str:
    from payments.services import payments_reconcile

    return str(payments_reconcile())


@shared_task
def escalate_refund_requests() -> int:
    """Beat: refund requests whose coach's time is up go to the staff queue."""
    from payments.refunds.requests import refund_requests_escalate_due

    return refund_requests_escalate_due()
