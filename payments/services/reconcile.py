"""The sweep that reconciles open payments with Stripe."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from payments import finalize, gateway
from payments.errors import (
    PaymentError,
)
from payments.models import Payment
from payments.services.intents import payment_cancel
from payments.services.refunds import payment_refund

if TYPE_CHECKING:
    from datetime import datetime


logger = logging.getLogger(__name__)

# --- reconciliation -------------------------------------------------------------------------


@dataclass
class ReconcileReport:
    checked: int = 0
    completed: int = 0
    failed: int = 0
    cancelled: int = 0
    abandoned: int = 0
    refunds_retried: int = 0
    errors: int = 0

    def __str__(self) -> str:
        return ", ".join(f"{name} {value}" for name, value in vars(self).items())


def payments_reconcile(*, now: datetime | None = None, limit: int = 500) -> ReconcileReport:
    """Ask Stripe about payments stuck before completion (lost or late webhooks) and finish
    them through the same transitions the webhook uses; retry refunds still owed; cancel
    intents abandoned for PAYMENT_ABANDON_HOURS."""
    now = now or timezone.now()
    report = ReconcileReport()
    stale_before = now - timedelta(minutes=settings.PAYMENT_RECONCILE_AFTER_MINUTES)
    abandoned_before = now - timedelta(hours=settings.PAYMENT_ABANDON_HOURS)
    stuck = Payment.objects.filter(
        status__in=finalize.OPEN,
        updated_at__lt=stale_before,
        stripe_payment_intent_id__isnull=False,
    ).order_by("updated_at")[:limit]
    for payment in stuck:
        report.checked += 1
        try:
            _reconcile_one(payment, abandoned_before, report)
        except PaymentError as exc:
            report.errors += 1
            logger.warning("reconcile payment %s: %s", payment.pk, exc.message)
    from payments.refunds.service import refunds_retry_pending

    retried, failing = refunds_retry_pending(limit=limit)
    report.refunds_retried += retried
    report.errors += failing
    owed = Payment.objects.exclude(refund_owed_reason="").filter(
        status__in=(Payment.Status.COMPLETED, Payment.Status.PARTIALLY_REFUNDED)
    )[:limit]
    for payment in owed:
        try:
            payment_refund(payment_id=payment.pk, reason=payment.refund_owed_reason, notify=False)
            report.refunds_retried += 1
        except PaymentError as exc:
            report.errors += 1
            logger.warning("refund owed on payment %s still failing: %s", payment.pk, exc.message)
    return report


def _reconcile_one(payment: Payment, abandoned_before: datetime, report: ReconcileReport) -> None:
    intent = gateway.payment_intent_retrieve(payment.intent_id)
    status = intent.status
    if status == "succeeded":
        finalize.in_transaction(finalize.succeeded, intent=intent.raw)
        report.completed += 1
    elif status == "requires_capture":
        finalize.in_transaction(finalize.authorized, intent=intent.raw)
    elif status == "canceled":
        finalize.in_transaction(finalize.cancelled, payment_id=payment.pk)
        report.cancelled += 1
    elif payment.created_at < abandoned_before:
        payment_cancel(payment_id=payment.pk, reason="abandoned")
        report.abandoned += 1
    elif status == "requires_payment_method" and intent.last_payment_error:
        finalize.in_transaction(finalize.failed, intent=intent.raw)
        report.failed += 1
