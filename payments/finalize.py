"""State transitions of a Payment driven by what Stripe says happened.

Shared by the webhook, the server-side confirm and reconciliation, so a lost webhook and a
replayed one end in the same place. Every function here runs inside the caller's
transaction, locks the payment row first (payments/locks.py: payment before the purpose's
rows), is idempotent (a transition happens once, a repeat is a no-op) and never calls Stripe;
money that must go back is recorded as owed and refunded after commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import transaction
from django.utils import timezone

from payments import events
from payments.gateway import charge_id_of
from payments.handlers import handlers_for
from payments.locks import lock_payment, lock_payment_by_intent
from payments.models import Payment, Transaction
from payments.money import from_minor_units, to_minor_units

if TYPE_CHECKING:
    from accounts.models import User


logger = logging.getLogger(__name__)

# DISPUTED is a paid payment whose charge the client disputed (payments/disputes/): a late
# payment_intent.succeeded must not complete it a second time.
PAID = (
    Payment.Status.COMPLETED,
    Payment.Status.REFUNDED,
    Payment.Status.PARTIALLY_REFUNDED,
    Payment.Status.DISPUTED,
)
OPEN = (
    Payment.Status.DRAFT,
    Payment.Status.PENDING,
    Payment.Status.PROCESSING,
    Payment.Status.FAILED,
)


def captured_minor_units(intent: dict[str, Any]) -> int:
    """What Stripe took, in minor units: `amount_received` (real Stripe; less than `amount`
    after a partial capture), else the embedded charge's `amount_captured`, else `amount`."""
    for value in (
        intent.get("amount_received"),
        (intent.get("latest_charge") or {}).get("amount_captured")
        if isinstance(intent.get("latest_charge"), dict)
        else None,
    ):
        if isinstance(value, int) and value > 0:
            return value
    return int(intent.get("amount") or 0)


def captured_amount(intent: dict[str, Any]) -> Decimal:
    return from_minor_units(captured_minor_units(intent), str(intent["currency"]).upper())


def intent_matches_quote(payment: Payment, intent: dict[str, Any]) -> bool:
    return (
        captured_minor_units(intent) == to_minor_units(payment.amount_total, payment.currency)
        and str(intent.get("currency", "")).upper() == payment.currency.upper()
    )


def succeeded(*, intent: dict[str, Any]) -> Payment | None:
    """The intent's money was captured: complete the payment, write the ledger, then let the
    purpose confirm what was paid for (or give the money back)."""
    payment = lock_payment_by_intent(intent["id"])
    if payment is None:
        return _succeeded_without_record(intent)
    if payment.status in PAID:
        return payment  # replay, or reconciliation after the webhook: once only
    charged = captured_amount(intent)
    payment.amount_captured = charged
    payment.status = Payment.Status.COMPLETED
    payment.stripe_charge_id = charge_id_of(intent) or payment.stripe_charge_id
    payment.stripe_payment_method_id = stripe_id_of(intent.get("payment_method")) or (
        payment.stripe_payment_method_id
    )
    payment.completed_at = timezone.now()
    payment.error_code = payment.error_message = payment.decline_code = ""
    Transaction.objects.create(
        payment=payment,
        kind=Transaction.Kind.CHARGE,
        amount=charged,
        currency=str(intent["currency"]).upper(),
        stripe_object_id=payment.stripe_charge_id or intent["id"],
    )
    if not intent_matches_quote(payment, intent):
        payment.error_code = "amount_mismatch"
        payment.error_message = (
            f"Stripe charged {charged} {str(intent['currency']).upper()}; we quoted "
            f"{payment.amount_total} {payment.currency}. Not confirmed; what Stripe charged "
            "is refunded."
        )
        payment.save()
        logger.error(
            "STAFF ATTENTION: payment %s intent %s amount/currency mismatch: %s",
            payment.pk,
            intent["id"],
            payment.error_message,
        )
        from payments.services import payment_refund_later

        payment_refund_later(payment=payment, reason="Amount did not match the quote", notify=True)
        return payment
    payment.save()
    events.payment_completed(payment)  # invoicing: B2C invoice after commit
    if payment.platform_fee:
        Transaction.objects.create(
            payment=payment,
            kind=Transaction.Kind.FEE,
            amount=payment.platform_fee,
            currency=payment.currency,
            note="Platform fee retained from the charge",
        )
    handlers = handlers_for(payment.purpose)
    if handlers is not None:
        handlers.on_succeeded(payment, intent)
    if not payment.refund_owed_reason:
        # The purpose kept the money (a seat/booking was confirmed): tell the coach. Once per
        # payment, like everything after the PAID check above; sent on commit.
        _notify_payment_received(payment)
    return payment


def _notify_payment_received(payment: Payment) -> None:
    from notifications.deferred import notify_after_commit
    from notifications.types import NotificationType

    notify_after_commit(  # built after commit, outside the payment and seat locks
        recipient=payment.coach.user,
        type=NotificationType.PAYMENT_RECEIVED,
        target=payment,
        context={
            "for_coach": True,
            "payer_name": payment.payer.display_name,
            "coach_share": payment.coach_share,
        },
    )


def failed(*, intent: dict[str, Any]) -> Payment | None:
    """A charge attempt failed. Never undoes a payment that already succeeded."""
    payment = lock_payment_by_intent(intent["id"])
    if payment is None or payment.status not in OPEN or payment.status == Payment.Status.FAILED:
        return payment
    error = intent.get("last_payment_error") or {}
    payment.status = Payment.Status.FAILED
    payment.error_code = str(error.get("code") or "payment_failed")[:64]
    payment.error_message = str(error.get("message") or "The payment failed.")
    payment.decline_code = str(error.get("decline_code") or "")[:64]
    payment.save()
    handlers = handlers_for(payment.purpose)
    if handlers is not None:
        handlers.on_failed(payment, intent)
    return payment


def authorized(*, intent: dict[str, Any]) -> Payment | None:
    """Manual capture: the card is authorized, the money not yet taken."""
    payment = lock_payment_by_intent(intent["id"])
    if payment is None or payment.authorized_at is not None or payment.status not in OPEN:
        return payment
    payment.authorized_at = timezone.now()
    payment.status = Payment.Status.PROCESSING
    payment.stripe_payment_method_id = stripe_id_of(intent.get("payment_method")) or (
        payment.stripe_payment_method_id
    )
    payment.error_code = payment.error_message = payment.decline_code = ""
    payment.save()
    handlers = handlers_for(payment.purpose)
    if handlers is not None and handlers.on_authorized is not None:
        handlers.on_authorized(payment, intent)
    return payment


def cancelled(*, payment_id: int) -> Payment:
    payment = lock_payment(payment_id)
    if payment.status in OPEN:
        payment.status = Payment.Status.CANCELLED
        payment.save(update_fields=["status", "updated_at"])
    return payment


def refunded(
    *,
    payment: Payment,
    refund_id: str,
    amount: Decimal,
    note: str = "",
    policy: str = "",
    initiator: str = "",
    actor: User | None = None,
) -> bool:
    """Record one refund (caller holds the payment lock). False if it was already recorded.
    `policy`/`initiator`/`actor` come from the refund service (blank: made outside it).

    Bounded by what is still refundable: localstripe (and a dashboard) may refund more than
    we consider refundable; our books never go past the total."""
    if Transaction.objects.filter(
        kind=Transaction.Kind.REFUND, stripe_object_id=refund_id
    ).exists():
        return False
    amount = min(amount, payment.refundable_amount)
    if amount <= 0:
        return False
    refund = Transaction.objects.create(
        payment=payment,
        kind=Transaction.Kind.REFUND,
        amount=amount,
        currency=payment.currency,
        stripe_object_id=refund_id,
        note=note[:255],
        policy=policy,
        initiator=initiator,
        actor=actor,
    )
    payment.amount_refunded += amount
    if payment.refundable_amount == 0:
        payment.status = Payment.Status.REFUNDED
        payment.refund_owed_reason = ""
    else:
        payment.status = Payment.Status.PARTIALLY_REFUNDED
    payment.save()
    from payments.payouts.refunds import payout_item_adjust_for_refund

    payout_item_adjust_for_refund(
        payment=payment, refunded_amount=amount, policy=policy, refund_key=refund_id
    )
    events.refund_recorded(payment, refund)  # invoicing: credit note after commit
    handlers = handlers_for(payment.purpose)
    if handlers is not None:
        handlers.on_refunded(payment, amount)
    return True


def _succeeded_without_record(intent: dict[str, Any]) -> Payment | None:
    """Money arrived for an intent we have no Payment for (our insert after creating the
    intent failed). If its metadata names one of our purposes, record it and refund it:
    every captured payment ends attached to a seat/booking or refunded."""
    from django.contrib.auth import get_user_model

    from accounts.models import Coach

    metadata = intent.get("metadata") or {}
    payer = get_user_model().objects.filter(pk=metadata.get("payer_id") or 0).first()
    coach = Coach.objects.filter(pk=metadata.get("coach_id") or 0).first()
    if not metadata.get("purpose") or payer is None or coach is None:
        logger.error("STAFF ATTENTION: intent %s succeeded but is not ours to book", intent["id"])
        return None
    currency = str(intent["currency"]).upper()
    total = captured_amount(intent)
    payment = Payment.objects.create(
        payer=payer,
        coach=coach,
        purpose=metadata["purpose"],
        status=Payment.Status.COMPLETED,
        currency=currency,
        amount_total=total,
        amount_captured=total,
        amount_net=total,
        vat_rate=0,
        vat_amount=0,
        platform_fee=0,
        coach_share=total,
        stripe_payment_intent_id=intent["id"],
        stripe_charge_id=charge_id_of(intent),
        completed_at=timezone.now(),
        error_code="no_record",
        error_message="Paid intent without a matching payment record; refunded.",
    )
    Transaction.objects.create(
        payment=payment,
        kind=Transaction.Kind.CHARGE,
        amount=total,
        currency=currency,
        stripe_object_id=payment.stripe_charge_id or intent["id"],
    )
    logger.error("STAFF ATTENTION: intent %s had no payment record; refunding", intent["id"])
    from payments.services import payment_refund_later

    payment_refund_later(payment=payment, reason="Payment without a booking", notify=True)
    return payment


def stripe_id_of(value: Any) -> str:
    """The id of an expandable field: an embedded object's id, or the id itself."""
    object_id: str = value.get("id", "") if isinstance(value, dict) else value or ""
    return object_id


_T = TypeVar("_T")


def in_transaction(fn: Callable[..., _T], **kwargs: Any) -> _T:
    """Run one of the transitions above in its own transaction (reconciliation, confirm)."""
    with transaction.atomic():
        return fn(**kwargs)
