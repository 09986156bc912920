"""The one refund service: every refund in the project goes through `refund_issue`.

Three short steps so Stripe is never called with a lock held:
1. lock the payment, check (dispute, status, refundable less what is pending, Goodwill bound),
   reserve a pending `Refund` row, commit;
2. call Stripe with the attempt's idempotency key (no lock);
3. lock the payment again and finish: ledger row with policy/initiator/actor, status
   `refunded`/`partially_refunded`, payout item adjusted per policy, credit note (events).
A Stripe outage in step 2 leaves the attempt pending: `refunds_retry_pending` (run by
payments_reconcile) calls Stripe again with the same key, so the refund is never doubled.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Sum

from payments import finalize, gateway
from payments.disputes.selectors import refund_blocked_by_dispute
from payments.errors import GatewayUnavailable, PaymentError
from payments.locks import lock_payment
from payments.models import Payment
from payments.money import from_minor_units, quantize
from payments.refunds.errors import RefundRefused
from payments.refunds.models import Refund, RefundInitiator, RefundPolicy

if TYPE_CHECKING:
    from accounts.models import User


logger = logging.getLogger(__name__)

REFUNDABLE_STATUSES = (Payment.Status.COMPLETED, Payment.Status.PARTIALLY_REFUNDED)


def pending_amount(payment: Payment) -> Decimal:
    total: Decimal | None = Refund.objects.filter(
        payment=payment, status=Refund.Status.PENDING
    ).aggregate(total=Sum("amount"))["total"]
    return total or Decimal(0)


def available_amount(payment: Payment) -> Decimal:
    """What may still be refunded: refundable less the attempts pending at Stripe."""
    return max(Decimal(0), payment.refundable_amount - pending_amount(payment))


def platform_borne(payment: Payment) -> Decimal:
    """What the platform has paid back on this payment so far (refunds less the coach's part
    taken from their payout), pending attempts of Platform fault/Goodwill included."""
    from payments.payouts.models import PayoutItem

    item = PayoutItem.objects.filter(payment=payment).first()
    coach_part = Decimal(0)
    if item is not None:
        coach_part = item.refund_deduction + sum(
            (r.amount for r in item.reversals.all()), Decimal(0)
        )
    pending_platform = Refund.objects.filter(
        payment=payment,
        status=Refund.Status.PENDING,
        policy__in=(RefundPolicy.PLATFORM_FAULT, RefundPolicy.GOODWILL),
    ).aggregate(total=Sum("amount"))["total"] or Decimal(0)
    return max(Decimal(0), payment.amount_refunded - coach_part) + pending_platform


def goodwill_room(payment: Payment) -> Decimal:
    """Goodwill is paid from the platform fee: all the platform pays back on a payment
    (Goodwill and Platform fault refunds, its part of Standard ones) stays within the fee."""
    return max(Decimal(0), payment.platform_fee - platform_borne(payment))


def refund_check(*, payment: Payment, amount: Decimal | None, policy: str) -> Decimal:
    """The amount that would be refunded, or RefundRefused (caller holds the payment lock or
    only wants to show an error)."""
    if policy not in RefundPolicy.values:
        raise RefundRefused(f"Unknown refund policy {policy!r}.", code="invalid_policy")
    blocked = refund_blocked_by_dispute(payment)
    if blocked:
        raise RefundRefused(blocked, code="disputed")
    if payment.status not in REFUNDABLE_STATUSES:
        raise RefundRefused("Only a completed payment can be refunded.", code="not_refundable")
    available = available_amount(payment)
    if amount is None:
        amount = available
    amount = quantize(amount, payment.currency)
    if amount <= 0:
        raise RefundRefused("Nothing is left to refund on this payment.", code="invalid_amount")
    if amount > available:
        raise RefundRefused(
            f"{payment.currency} {amount} is more than the {payment.currency} {available} "
            "still refundable.",
            code="above_refundable",
        )
    if policy == RefundPolicy.GOODWILL:
        room = goodwill_room(payment)
        if amount > room:
            raise RefundRefused(
                f"A goodwill refund is paid from the platform fee: at most {payment.currency} "
                f"{room} on this payment.",
                code="above_goodwill",
            )
    return amount


def refund_issue(
    *,
    payment_id: int,
    amount: Decimal | None = None,
    policy: str,
    initiator: str,
    actor: User | None = None,
    reason: str,
    note: str = "",
    notify: bool = True,
) -> Refund:
    """Refund `amount` (None: all still refundable) of a payment with a cost policy.

    Raises RefundRefused (nothing changed) or a PaymentError from Stripe: GatewayUnavailable
    leaves the attempt pending for `refunds_retry_pending`; any other Stripe refusal marks it
    failed and frees its amount."""
    refund = refund_reserve(
        payment_id=payment_id,
        amount=amount,
        policy=policy,
        initiator=initiator,
        actor=actor,
        reason=reason,
        note=note,
        notify=notify,
    )
    return refund_attempt(refund_id=refund.pk)


@transaction.atomic
def refund_reserve(
    *,
    payment_id: int,
    amount: Decimal | None = None,
    policy: str,
    initiator: str,
    actor: User | None = None,
    reason: str,
    note: str = "",
    notify: bool = True,
) -> Refund:
    """Step 1 alone (a caller recording a decision in the same transaction, e.g. a refund
    request's approval): the pending attempt; call `refund_attempt` after commit."""
    if initiator not in RefundInitiator.values:
        raise RefundRefused(f"Unknown initiator {initiator!r}.", code="invalid_initiator")
    payment = lock_payment(payment_id)
    amount = refund_check(payment=payment, amount=amount, policy=policy)
    return Refund.objects.create(
        payment=payment,
        amount=amount,
        currency=payment.currency,
        policy=policy,
        initiator=initiator,
        actor=actor,
        reason=(reason or "Refund")[:255],
        note=note,
        notify=notify,
    )


def refund_attempt(*, refund_id: int) -> Refund:
    """Steps 2 and 3 for a pending attempt (also the retry). Safe to repeat."""
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    if refund.status != Refund.Status.PENDING:
        return refund
    payment = refund.payment
    Refund.objects.filter(pk=refund.pk).update(attempts=refund.attempts + 1)
    try:
        result = gateway.refund_create(
            payment_intent_id=payment.intent_id,
            amount=refund.amount,
            currency=refund.currency,
            reason=refund.reason,
            idempotency_key=refund.idempotency_key,
        )
    except GatewayUnavailable as exc:
        Refund.objects.filter(pk=refund.pk).update(last_error=exc.message[:1000])
        logger.warning("refund attempt %s pending: %s", refund.pk, exc.message)
        raise
    except PaymentError as exc:
        Refund.objects.filter(pk=refund.pk, status=Refund.Status.PENDING).update(
            status=Refund.Status.FAILED, last_error=f"{exc.code}: {exc.message}"[:1000]
        )
        raise
    return _finish(refund.pk, result)


def _finish(refund_pk: int, result: gateway.RefundResult) -> Refund:
    with transaction.atomic():
        payment_pk = Refund.objects.values_list("payment_id", flat=True).get(pk=refund_pk)
        payment = lock_payment(payment_pk)
        refund = Refund.objects.select_for_update().get(pk=refund_pk)
        if refund.status != Refund.Status.PENDING:
            return refund
        amount = from_minor_units(result.amount_minor, refund.currency)
        recorded = finalize.refunded(
            payment=payment,
            refund_id=result.id,
            amount=min(amount, refund.amount),
            note=refund.reason,
            policy=refund.policy,
            initiator=refund.initiator,
            actor=refund.actor,
        )
        refund.status = Refund.Status.SUCCEEDED
        refund.stripe_refund_id = result.id
        refund.last_error = ""
        refund.save(update_fields=["status", "stripe_refund_id", "last_error", "updated_at"])
        if recorded and refund.notify:
            from payments.services import notify_refund

            notify_refund(payment, min(amount, refund.amount), refund.reason)
    return refund


def refunds_retry_pending(*, payment_id: int | None = None, limit: int = 500) -> tuple[int, int]:
    """Retry attempts still pending at Stripe (same idempotency key). Returns (done, errors)."""
    pending = Refund.objects.filter(status=Refund.Status.PENDING)
    if payment_id is not None:
        pending = pending.filter(payment_id=payment_id)
    done = errors = 0
    for refund_pk in pending.order_by("pk").values_list("pk", flat=True)[:limit]:
        try:
            refund_attempt(refund_id=refund_pk)
            done += 1
        except PaymentError as exc:
            errors += 1
            logger.warning("refund attempt %s still failing: %s", refund_pk, exc.message)
    return done, errors
