"""Refunds and the coach's share: before the transfer the item shrinks; after it, the
coach's part is reversed from their Stripe balance, or recorded as a debt netted from their
next payouts when the balance cannot cover it (never silently lost)."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F, Q

from core.oncommit import run_on_commit
from payments.errors import GatewayUnavailable, PaymentError
from payments.money import quantize, to_minor_units
from payments.payouts import gateway
from payments.payouts.models import CoachDebt, PayoutItem, PayoutReversal
from payments.payouts.schedule import proportional_deduction, transfer_group_of

if TYPE_CHECKING:
    from datetime import datetime

    from payments.models import Payment


logger = logging.getLogger(__name__)

PROPORTIONAL = "proportional"  # the coach bears the refund in proportion to their share
COACH_BEARS = "coach_bears"  # the refund comes out of the coach's share first
PLATFORM_BEARS = "platform_bears"  # the coach keeps their share
POLICIES = (PROPORTIONAL, COACH_BEARS, PLATFORM_BEARS)
# The refund service's cost policies (payments.refunds.models.RefundPolicy) in payout terms:
# Standard = proportional; Platform fault and Goodwill = the coach keeps their share (Goodwill
# is bounded by the platform fee in the refund service, not here).
SERVICE_POLICIES = {
    "standard": PROPORTIONAL,
    "platform_fault": PLATFORM_BEARS,
    "goodwill": PLATFORM_BEARS,
    "": PROPORTIONAL,  # a refund made outside the service (dashboard, charge.refunded)
}


def _proportional_refunded(payment: Payment) -> Decimal:
    """What was refunded under the proportional policy so far, this refund included (the
    ledger rows are written before the payout adjustment)."""
    from payments.models import Transaction

    rows = Transaction.objects.filter(
        payment=payment, kind=Transaction.Kind.REFUND, policy__in=("", "standard")
    )
    return sum((row.amount for row in rows), Decimal(0))


def _coach_part(
    payment: Payment, refunded_amount: Decimal, policy: str, already: Decimal
) -> Decimal:
    policy = SERVICE_POLICIES.get(policy, policy)
    if policy == PLATFORM_BEARS:
        return Decimal(0)
    if policy == COACH_BEARS:
        return min(quantize(refunded_amount, payment.currency), payment.coach_share - already)
    if policy != PROPORTIONAL:
        raise ValueError(f"unknown refund policy {policy!r}")
    # Cumulative over the proportional refunds, so several partial refunds round to the same
    # total as one refund, and a Platform fault refund before does not count against the coach.
    total = _proportional_refunded(payment)
    before = max(Decimal(0), total - refunded_amount)
    part = proportional_deduction(payment, total) - proportional_deduction(payment, before)
    return max(Decimal(0), min(part, payment.coach_share - already))


def payout_item_adjust_for_refund(
    *, payment: Payment, refunded_amount: Decimal, policy: str = PROPORTIONAL, refund_key: str = ""
) -> Decimal:
    """Tell payouts about a refund already recorded on `payment` (`payment.amount_refunded`
    includes it). Call inside the refund's transaction with the payment locked; never calls
    Stripe (a reversal is queued for after commit). Returns the coach's part of the refund."""
    item = PayoutItem.objects.select_for_update().filter(payment=payment).first()
    if item is None:
        item = PayoutItem.objects.create(
            payment=payment,
            coach_id=payment.coach_id,
            status=PayoutItem.Status.ON_HOLD,
            currency=payment.currency,
            gross_share=payment.coach_share,
            transfer_group=transfer_group_of(payment),
        )
    already = item.refund_deduction + sum((r.amount for r in item.reversals.all()), Decimal(0))
    part = _coach_part(payment, refunded_amount, policy, already)
    if part <= 0:
        return Decimal(0)
    if item.status in (PayoutItem.Status.PAID, PayoutItem.Status.PROCESSING):
        # In flight or transferred: take it back once it is paid (reversals_process).
        key = refund_key or f"{payment.pk}-{to_minor_units(payment.amount_refunded, 'CHF')}"
        reversal, created = PayoutReversal.objects.get_or_create(
            refund_key=f"refund-{key}"[:128], defaults={"item": item, "amount": part}
        )
        if created:
            run_on_commit(_enqueue_reversals, log_as="Payout reversal enqueue")
        return part
    item.refund_deduction = min(item.gross_share, item.refund_deduction + part)
    if item.refund_deduction >= item.gross_share:
        item.status = PayoutItem.Status.CANCELLED
    item.save(update_fields=["refund_deduction", "status", "updated_at"])
    return part


def _enqueue_reversals() -> None:
    from payments.payouts.tasks import process_payout_reversals

    process_payout_reversals.delay()


def reversals_process(*, now: datetime | None = None, coach_id: int | None = None) -> int:
    """Reverse what refunds took back from paid items. Stripe is called with no lock held;
    `balance_insufficient` turns the reversal into a debt. Returns how many were settled."""
    scope = Q() if coach_id is None else Q(item__coach_id=coach_id)
    pending = list(
        PayoutReversal.objects.filter(
            scope, status=PayoutReversal.Status.PENDING, item__status=PayoutItem.Status.PAID
        ).select_related("item")
    )
    done = 0
    for reversal in pending:
        item = reversal.item
        try:
            if not item.stripe_transfer_id:
                raise PaymentError("No transfer to reverse.", code="balance_insufficient")
            result = gateway.transfer_reversal_create(
                transfer_id=item.stripe_transfer_id,
                amount_minor=to_minor_units(reversal.amount, item.currency),
                metadata={"payout_item_id": str(item.pk), "reversal_id": str(reversal.pk)},
                idempotency_key=f"payout-reversal-{reversal.pk}",
            )
        except GatewayUnavailable as exc:
            PayoutReversal.objects.filter(pk=reversal.pk).update(last_error=exc.message)
            continue
        except PaymentError as exc:
            done += _to_debt(reversal, exc)
            continue
        with transaction.atomic():
            if PayoutReversal.objects.filter(
                pk=reversal.pk, status=PayoutReversal.Status.PENDING
            ).update(status=PayoutReversal.Status.DONE, stripe_reversal_id=result.id):
                PayoutItem.objects.filter(pk=item.pk).update(
                    amount_reversed=F("amount_reversed") + reversal.amount
                )
                done += 1
    return done


def _to_debt(reversal: PayoutReversal, exc: PaymentError) -> int:
    with transaction.atomic():
        if not PayoutReversal.objects.filter(
            pk=reversal.pk, status=PayoutReversal.Status.PENDING
        ).update(status=PayoutReversal.Status.DEBT, last_error=f"{exc.code}: {exc.message}"):
            return 0
        CoachDebt.objects.create(
            coach_id=reversal.item.coach_id,
            currency=reversal.item.currency,
            amount=reversal.amount,
            remaining=reversal.amount,
            reason=f"Refund after payout (item {reversal.item_id}): {exc.code}"[:255],
            reversal=reversal,
        )
    logger.warning("reversal %s recorded as debt: %s", reversal.pk, exc.code)
    return 1
