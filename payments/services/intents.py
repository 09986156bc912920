"""Payment intents: open, confirm, capture, cancel."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction

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
from payments.services.cards import customer_ensure

if TYPE_CHECKING:
    from collections.abc import Mapping

    from accounts.models import Coach, User


logger = logging.getLogger(__name__)

# --- payments ---------------------------------------------------------------------------------


def payment_open(
    *,
    payer: User,
    coach: Coach,
    purpose: str,
    breakdown: PriceBreakdown,
    metadata: Mapping[str, str | int],
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
        stripe_payment_intent_id=intent.id,
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
            "stripe_client_secret": intent.client_secret,
            "capture_method": capture_method,
            "transfer_group": transfer_group,
        },
    )
    return payment


def transfer_group_for(*, purpose: str, metadata: Mapping[str, Any], fallback: str) -> str:
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


def payment_confirm(*, user: User, payment_intent_id: str, payment_method_id: str) -> ConfirmResult:
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
    status = intent.status
    if status == "requires_capture":
        finalize.in_transaction(finalize.authorized, intent=intent.raw)
    elif status in ("succeeded", "processing"):
        _mark_processing(payment.pk, payment_method_id)
    elif status == "requires_payment_method":
        error = intent.last_payment_error
        declined = CardDeclined(
            (error.message if error else "") or "Your card was declined.",
            code=(error.code if error else "") or "card_declined",
            decline_code=error.decline_code if error else "",
        )
        _record_decline(payment, declined)
        raise declined
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
        payment_intent_id=payment.intent_id,
        amount_minor=amount_minor,
        idempotency_key=f"capture-{payment.pk}",
    )
    if intent.status == "succeeded":
        # Finalize now rather than wait for the webhook; the webhook is then a no-op.
        finalize.in_transaction(finalize.succeeded, intent=intent.raw)
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
    if not payment.stripe_payment_intent_id:  # Stripe never made the intent: nothing to cancel
        logger.info("payment %s cancelled before it reached Stripe: %s", payment.pk, reason)
        return finalize.in_transaction(finalize.cancelled, payment_id=payment.pk)
    try:
        gateway.payment_intent_cancel(
            payment_intent_id=payment.intent_id,
            idempotency_key=f"cancel-{payment.pk}",
        )
    except GatewayUnavailable:
        raise
    except PaymentError:
        intent = gateway.payment_intent_retrieve(payment.intent_id)
        if intent.status != "canceled":
            logger.info("payment %s not cancelled: intent is %s", payment.pk, intent.status)
            return payment
    logger.info("payment %s cancelled: %s", payment.pk, reason)
    return finalize.in_transaction(finalize.cancelled, payment_id=payment.pk)
