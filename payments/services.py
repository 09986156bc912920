"""Writes of the payments app: the public API other apps call (see docs/payments.md).

Services that talk to Stripe are called with no row lock held: they call Stripe first, then
take the payment lock in a short transaction to record the outcome (payments/finalize.py).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from payments import finalize, gateway
from payments.errors import (
    CardDeclined,
    GatewayUnavailable,
    PaymentError,
    PaymentNotFound,
    PaymentNotPayable,
)
from payments.locks import lock_payment
from payments.models import Payment
from payments.money import quantize, to_minor_units
from payments.pricing import PriceBreakdown
from payments.selectors import SavedCard

logger = logging.getLogger(__name__)


# --- customers and saved cards ----------------------------------------------------------------


def customer_ensure(*, user) -> str:
    """The user's Stripe customer id, created on first use and stored on the user."""
    if user.stripe_customer_id:
        return user.stripe_customer_id
    customer = gateway.customer_create(
        email=user.email,
        name=user.get_full_name() or user.email,
        user_id=user.pk,
        idempotency_key=f"customer-{user.pk}",
    )
    # Two first requests at once: the first id stored wins (Stripe returns the same customer
    # for the same idempotency key anyway).
    get_user_model().objects.filter(pk=user.pk, stripe_customer_id="").update(
        stripe_customer_id=customer["id"]
    )
    user.refresh_from_db(fields=["stripe_customer_id"])
    return user.stripe_customer_id


def setup_intent_create(*, user) -> str:
    """Client secret of a SetupIntent for the Card Element (`stripe.confirmCardSetup`)."""
    customer_id = customer_ensure(user=user)
    setup_intent = gateway.setup_intent_create(
        customer_id=customer_id, idempotency_key=f"setup-{user.pk}-{uuid.uuid4().hex}"
    )
    return setup_intent["client_secret"]


def payment_method_save(*, user, setup_intent_id: str) -> SavedCard:
    """Keep the card a confirmed SetupIntent produced on the user's customer.

    Real Stripe attaches it already; localstripe does not, so attach when needed."""
    customer_id = customer_ensure(user=user)
    setup_intent = gateway.setup_intent_retrieve(setup_intent_id)
    if setup_intent.get("customer") != customer_id:
        raise PaymentNotFound("We could not find that card setup.", code="setup_not_found")
    if setup_intent.get("status") != "succeeded":
        raise PaymentError("The card could not be saved. Please try again.", code="setup_failed")
    payment_method_id = finalize._id_of(setup_intent.get("payment_method"))
    card = gateway.payment_method_retrieve(payment_method_id)
    if card.get("customer") != customer_id:
        card = gateway.payment_method_attach(
            payment_method_id=payment_method_id,
            customer_id=customer_id,
            idempotency_key=f"attach-{payment_method_id}",
        )
    return SavedCard.from_stripe(card)


def payment_method_detach(*, user, payment_method_id: str) -> None:
    card = gateway.payment_method_retrieve(payment_method_id)
    if not user.stripe_customer_id or card.get("customer") != user.stripe_customer_id:
        raise PaymentNotFound("That card is not one of your saved cards.", code="foreign_card")
    gateway.payment_method_detach(
        payment_method_id=payment_method_id, idempotency_key=f"detach-{payment_method_id}"
    )


# --- payments ---------------------------------------------------------------------------------


def payment_open(
    *,
    payer,
    coach,
    purpose: str,
    breakdown: PriceBreakdown,
    metadata: dict[str, str],
    idempotency_key: str,
    capture_method: str = "automatic",
) -> Payment:
    """Create the PaymentIntent, then the Payment (status pending) with the frozen quote.

    Call with no transaction open and no lock held. If Stripe fails nothing is recorded and
    GatewayUnavailable / PaymentError propagates."""
    if breakdown.total <= 0:
        raise PaymentError("There is nothing to pay.", code="nothing_to_pay")
    customer_id = customer_ensure(user=payer)
    intent_metadata = {
        **{key: str(value) for key, value in metadata.items()},
        "purpose": str(purpose),
        "payer_id": str(payer.pk),
        "coach_id": str(coach.pk),
    }
    transfer_group = transfer_group_for(
        purpose=purpose, metadata=metadata, fallback=idempotency_key
    )
    intent = gateway.payment_intent_create(
        amount=breakdown.total,
        currency=breakdown.currency,
        customer_id=customer_id,
        metadata=intent_metadata,
        idempotency_key=idempotency_key,
        capture_method=capture_method,
        transfer_group=transfer_group,
    )
    payment, _ = Payment.objects.get_or_create(
        stripe_payment_intent_id=intent["id"],
        defaults={
            "payer": payer,
            "coach": coach,
            "purpose": purpose,
            "status": Payment.Status.PENDING,
            "currency": breakdown.currency,
            "amount_total": breakdown.total,
            "amount_net": breakdown.net,
            "vat_rate": breakdown.vat_rate,
            "vat_amount": breakdown.vat_amount,
            "vat_included": breakdown.vat_included,
            "platform_fee": breakdown.platform_fee,
            "coach_share": breakdown.coach_share,
            "price_snapshot": breakdown.as_snapshot(),
            "stripe_customer_id": customer_id,
            "stripe_client_secret": intent.get("client_secret") or "",
            "capture_method": capture_method,
            "transfer_group": transfer_group,
        },
    )
    return payment


def transfer_group_for(*, purpose: str, metadata: dict, fallback: str) -> str:
    """One Stripe transfer group per booking or registration (separate charges and
    transfers: the payout's transfer carries the same group)."""
    if metadata.get("booking_id"):
        return f"booking_{metadata['booking_id']}"
    if metadata.get("registration_id"):
        return f"registration_{metadata['registration_id']}"
    return f"{purpose}_{fallback}"[:64]


@dataclass
class ConfirmResult:
    status: str  # processing | requires_action | requires_capture
    payment: Payment
    client_secret: str = ""
    extra: dict = field(default_factory=dict)


def payment_confirm(*, user, payment_intent_id: str, payment_method_id: str) -> ConfirmResult:
    """Server-side confirm with one of the user's saved cards (seed 001 /api/payments/confirm).

    A decline marks the payment failed (the purpose is told once) and raises CardDeclined;
    the client may try again with another card while the payment is still open."""
    payment = Payment.objects.filter(stripe_payment_intent_id=payment_intent_id, payer=user).first()
    if payment is None:
        raise PaymentNotFound("We could not find that payment.", code="payment_not_found")
    if payment.status in finalize.PAID or (
        payment.status == Payment.Status.PROCESSING and payment.authorized_at is None
    ):
        return ConfirmResult("processing", payment, payment.stripe_client_secret)
    if payment.status not in finalize.OPEN:
        raise PaymentNotPayable(
            "This payment can no longer be made. Please start the booking again.",
            code="payment_closed",
        )
    card = gateway.payment_method_retrieve(payment_method_id)
    if not user.stripe_customer_id or card.get("customer") != user.stripe_customer_id:
        raise PaymentError("Please choose one of your saved cards.", code="foreign_card")
    try:
        intent = gateway.payment_intent_confirm_with(
            payment_intent_id=payment_intent_id,
            payment_method_id=payment_method_id,
            idempotency_key=f"confirm-{payment.pk}-{uuid.uuid4().hex}",
        )
    except CardDeclined as exc:
        _record_decline(payment, exc)
        raise
    status = intent.get("status")
    if status == "requires_capture":
        finalize.in_transaction(finalize.authorized, intent=intent)
    elif status in ("succeeded", "processing"):
        _mark_processing(payment.pk, payment_method_id)
    elif status == "requires_payment_method":
        error = intent.get("last_payment_error") or {}
        exc = CardDeclined(
            error.get("message") or "Your card was declined.",
            code=error.get("code") or "card_declined",
            decline_code=error.get("decline_code") or "",
        )
        _record_decline(payment, exc)
        raise exc
    payment.refresh_from_db()
    public_status = {"succeeded": "processing", "processing": "processing"}.get(status, status)
    return ConfirmResult(public_status, payment, payment.stripe_client_secret)


def _record_decline(payment: Payment, exc: PaymentError) -> None:
    intent = {
        "id": payment.stripe_payment_intent_id,
        "last_payment_error": {
            "code": exc.code,
            "message": exc.message,
            "decline_code": exc.decline_code,
        },
    }
    finalize.in_transaction(finalize.failed, intent=intent)


@transaction.atomic
def _mark_processing(payment_id: int, payment_method_id: str) -> None:
    payment = lock_payment(payment_id)
    if payment.status in (Payment.Status.PENDING, Payment.Status.FAILED, Payment.Status.DRAFT):
        payment.status = Payment.Status.PROCESSING
        payment.stripe_payment_method_id = payment_method_id
        payment.error_code = payment.error_message = payment.decline_code = ""
        payment.save()


def payment_capture(*, payment_id: int, amount: Decimal | None = None) -> Payment:
    """Take the money of an authorized manual-capture payment (all of it, or `amount`).
    The `payment_intent.succeeded` webhook then completes it."""
    payment = Payment.objects.get(pk=payment_id)
    if payment.authorized_at is None or payment.status in finalize.PAID:
        raise PaymentNotPayable(
            "This payment is not waiting to be captured.", code="not_capturable"
        )
    amount_minor = (
        None
        if amount is None
        else to_minor_units(quantize(amount, payment.currency), payment.currency)
    )
    intent = gateway.payment_intent_capture(
        payment_intent_id=payment.stripe_payment_intent_id,
        amount_minor=amount_minor,
        idempotency_key=f"capture-{payment.pk}",
    )
    if intent.get("status") == "succeeded":
        # Finalize now rather than wait for the webhook; the webhook is then a no-op.
        finalize.in_transaction(finalize.succeeded, intent=intent)
    payment.refresh_from_db()
    return payment


def payment_cancel(*, payment_id: int, reason: str = "") -> Payment:
    """Cancel an intent that has not taken money and mark the payment cancelled.
    If Stripe says it was paid meanwhile, nothing is cancelled (the webhook finalizes it)."""
    payment = Payment.objects.get(pk=payment_id)
    if payment.status in finalize.PAID:
        raise PaymentNotPayable("This payment was made; refund it instead.", code="already_paid")
    if payment.status == Payment.Status.CANCELLED:
        return payment
    try:
        gateway.payment_intent_cancel(
            payment_intent_id=payment.stripe_payment_intent_id,
            idempotency_key=f"cancel-{payment.pk}",
        )
    except GatewayUnavailable:
        raise
    except PaymentError:
        intent = gateway.payment_intent_retrieve(payment.stripe_payment_intent_id)
        if intent.get("status") != "canceled":
            logger.info("payment %s not cancelled: intent is %s", payment.pk, intent.get("status"))
            return payment
    logger.info("payment %s cancelled: %s", payment.pk, reason)
    return finalize.in_transaction(finalize.cancelled, payment_id=payment.pk)


def payment_refund(
    *,
    payment_id: int,
    amount: Decimal | None = None,
    reason: str,
    notify: bool = True,
    policy: str = "standard",
    initiator: str = "system",
    actor=None,
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


def _notify_refund(payment: Payment, amount: Decimal, reason: str) -> None:
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


def payments_reconcile(*, now=None, limit: int = 500) -> ReconcileReport:
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


def _reconcile_one(payment: Payment, abandoned_before, report: ReconcileReport) -> None:
    intent = gateway.payment_intent_retrieve(payment.stripe_payment_intent_id)
    status = intent.get("status")
    if status == "succeeded":
        finalize.in_transaction(finalize.succeeded, intent=intent)
        report.completed += 1
    elif status == "requires_capture":
        finalize.in_transaction(finalize.authorized, intent=intent)
    elif status == "canceled":
        finalize.in_transaction(finalize.cancelled, payment_id=payment.pk)
        report.cancelled += 1
    elif payment.created_at < abandoned_before:
        payment_cancel(payment_id=payment.pk, reason="abandoned")
        report.abandoned += 1
    elif status == "requires_payment_method" and intent.get("last_payment_error"):
        finalize.in_transaction(finalize.failed, intent=intent)
        report.failed += 1
