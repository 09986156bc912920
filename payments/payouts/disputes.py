"""Disputes and the coach's share (beside refunds.py, same building blocks).

- Open: an unpaid payout item is FROZEN (the run only claims `pending` items, and
  materialization only touches `on_hold` ones, so a frozen item is never paid). A paid (or
  in-flight) item cannot be frozen: with DISPUTE_REVERSE_PAID_ON_OPEN the coach's part of the
  disputed amount is reversed at once, like a refund after payout (PayoutReversal, or a
  CoachDebt when their Stripe balance is short).
- Won: the item goes back to what it was; a reversal is undone by a re-transfer (or the debt
  it became is forgiven).
- Lost: the coach bears their part by DISPUTE_LOSS_POLICY (refunds.py's policies), taken from
  the unpaid item (refund_deduction) or reversed from the paid transfer; what was reversed
  beyond that part is re-transferred.

Every function here runs inside the dispute service's transaction with the payment locked
(lock order: payment, dispute, payout item) and never calls Stripe: reversals and re-transfers
are queued for after commit.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.oncommit import run_on_commit
from payments.errors import GatewayUnavailable, PaymentError
from payments.money import quantize, to_minor_units
from payments.payouts import gateway
from payments.payouts.models import CoachDebt, PayoutItem, PayoutReversal
from payments.payouts.refunds import COACH_BEARS, PLATFORM_BEARS, PROPORTIONAL
from payments.payouts.schedule import transfer_group_of

if TYPE_CHECKING:
    from payments.disputes.models import Dispute
    from payments.models import Payment


logger = logging.getLogger(__name__)

UNPAID = (PayoutItem.Status.ON_HOLD, PayoutItem.Status.PENDING, PayoutItem.Status.FAILED)
IN_FLIGHT_OR_PAID = (PayoutItem.Status.PROCESSING, PayoutItem.Status.PAID)


def dispute_coach_part(*, payment: Payment, disputed_amount: Decimal, policy: str) -> Decimal:
    """The coach's part of a disputed amount under `policy` (never more than their share)."""
    if policy == PLATFORM_BEARS:
        return Decimal(0)
    if policy == COACH_BEARS:
        return min(quantize(disputed_amount, payment.currency), payment.coach_share)
    if policy != PROPORTIONAL:
        raise ValueError(f"unknown dispute loss policy {policy!r}")
    if payment.charged_amount <= 0:
        return Decimal(0)
    share = payment.coach_share * disputed_amount / payment.charged_amount
    return min(payment.coach_share, quantize(share, payment.currency))


def _item_locked(payment: Payment) -> PayoutItem:
    item = PayoutItem.objects.select_for_update().filter(payment=payment).first()
    if item is None:
        # Not materialized yet (service not over): create it so the freeze is visible.
        item = PayoutItem.objects.create(
            payment=payment,
            coach_id=payment.coach_id,
            status=PayoutItem.Status.ON_HOLD,
            currency=payment.currency,
            gross_share=payment.coach_share,
            transfer_group=transfer_group_of(payment),
        )
    return item


def _reversal(item: PayoutItem, amount: Decimal, key: str) -> Decimal:
    """Queue taking `amount` back from the item's transfer (capped by what is left of it)."""
    queued = sum(
        (r.amount for r in item.reversals.filter(status=PayoutReversal.Status.PENDING)),
        Decimal(0),
    )
    left = (item.amount_transferred or item.transfer_amount) - item.amount_reversed - queued
    amount = min(amount, max(left, Decimal(0)))
    if amount <= 0:
        return Decimal(0)
    _, created = PayoutReversal.objects.get_or_create(
        refund_key=key[:128], defaults={"item": item, "amount": amount}
    )
    if created:
        run_on_commit(_enqueue_reversals, log_as="Dispute reversal enqueue")
    return amount


def payout_item_freeze(*, dispute: Dispute, payment: Payment, reverse_paid: bool) -> None:
    """The dispute opened: freeze the unpaid item, or reverse the coach's part of a paid one.
    Records what it did on `dispute` (the caller saves it)."""
    item = _item_locked(payment)
    if item.status in UNPAID:
        dispute.payout_status_before = item.status
        item.status = PayoutItem.Status.FROZEN
        item.blocked_reason = f"Disputed ({dispute.stripe_dispute_id})"[:255]
        item.save(update_fields=["status", "blocked_reason", "updated_at"])
    elif item.status in IN_FLIGHT_OR_PAID and reverse_paid:
        dispute.payout_status_before = item.status
        part = dispute_coach_part(
            payment=payment, disputed_amount=dispute.amount, policy=PROPORTIONAL
        )
        dispute.coach_reversed = _reversal(item, part, f"dispute-open-{dispute.stripe_dispute_id}")
    else:
        dispute.payout_status_before = item.status


def _unfreeze(item: PayoutItem, status_before: str) -> None:
    if item.status != PayoutItem.Status.FROZEN:
        return
    item.status = status_before or PayoutItem.Status.ON_HOLD
    item.blocked_reason = ""
    if item.status == PayoutItem.Status.PENDING:
        item.next_attempt_at = timezone.now()
    if item.refund_deduction >= item.gross_share:
        item.status = PayoutItem.Status.CANCELLED
    item.save(update_fields=["status", "blocked_reason", "next_attempt_at", "updated_at"])


def _undo_open_reversal(dispute: Dispute) -> Decimal:
    """Give back what the open-time reversal took. Returns the amount to re-transfer."""
    reversal = PayoutReversal.objects.filter(
        refund_key=f"dispute-open-{dispute.stripe_dispute_id}"
    ).first()
    if reversal is None:
        return Decimal(0)
    if reversal.status == PayoutReversal.Status.PENDING:
        # Never reached Stripe (the item was still in flight): nothing to give back.
        reversal.delete()
        return Decimal(0)
    if reversal.status == PayoutReversal.Status.DEBT:
        debt = CoachDebt.objects.select_for_update().get(reversal=reversal)
        netted = debt.amount - debt.remaining
        debt.remaining = Decimal(0)
        debt.settled_at = timezone.now()
        debt.reason = f"{debt.reason} (dispute won: forgiven)"[:255]
        debt.save(update_fields=["remaining", "settled_at", "reason"])
        return netted  # what later payouts already gave up for it
    return reversal.amount


def payout_item_release(*, dispute: Dispute, payment: Payment) -> None:
    """Won (or the inquiry closed): the coach keeps their share."""
    item = _item_locked(payment)
    _unfreeze(item, dispute.payout_status_before)
    retransfer = _undo_open_reversal(dispute) if dispute.coach_reversed else Decimal(0)
    _queue_retransfer(dispute, retransfer)


def payout_item_allocate_loss(*, dispute: Dispute, payment: Payment, policy: str) -> None:
    """Lost: the coach bears `policy`'s part of the disputed amount; the platform the rest
    (and Stripe's dispute fee). Sets coach_loss / platform_loss on `dispute`."""
    item = _item_locked(payment)
    part = dispute_coach_part(payment=payment, disputed_amount=dispute.amount, policy=policy)
    if item.status == PayoutItem.Status.FROZEN or item.status in UNPAID:
        part = min(part, item.gross_share - item.refund_deduction)
        item.refund_deduction += part
        item.save(update_fields=["refund_deduction", "updated_at"])
        _unfreeze(item, dispute.payout_status_before or item.status)
        if item.status != PayoutItem.Status.FROZEN and item.refund_deduction >= item.gross_share:
            PayoutItem.objects.filter(pk=item.pk).update(status=PayoutItem.Status.CANCELLED)
    elif item.status in IN_FLIGHT_OR_PAID:
        extra = part - dispute.coach_reversed
        if extra > 0:
            part = dispute.coach_reversed + _reversal(
                item, extra, f"dispute-lost-{dispute.stripe_dispute_id}"
            )
        elif extra < 0:
            # Reversed more at open than the policy makes the coach bear: give it back.
            _queue_retransfer(dispute, -extra)
    else:
        part = Decimal(0)  # cancelled: nothing of theirs left to take
    dispute.loss_policy = policy
    dispute.coach_loss = part
    dispute.platform_loss = dispute.amount - part


def _queue_retransfer(dispute: Dispute, amount: Decimal) -> None:
    if amount <= 0:
        return
    dispute.retransfer_amount = amount
    run_on_commit(_enqueue_retransfers, log_as="Dispute re-transfer enqueue")


def _enqueue_reversals() -> None:
    from payments.payouts.tasks import process_payout_reversals

    process_payout_reversals.delay()


def _enqueue_retransfers() -> None:
    from payments.disputes.tasks import process_dispute_retransfers

    process_dispute_retransfers.delay()


def dispute_retransfers_process() -> int:
    """Send the coach what a won dispute gave back (no lock held; a stable idempotency key per
    dispute, so a retry after a timeout does not pay twice). Returns how many were sent."""
    from payments.disputes.models import Dispute

    sent = 0
    pending = Dispute.objects.filter(retransfer_amount__gt=0, retransfer_id="").select_related(
        "payment__payout_item", "coach__connect_account"
    )
    for dispute in pending:
        if dispute.payment is None:  # not matched to a payment: nothing was taken back
            continue
        item = dispute.payment.payout_item
        account = getattr(dispute.coach, "connect_account", None)
        if account is None:
            continue
        try:
            transfer = gateway.transfer_create(
                amount_minor=to_minor_units(dispute.retransfer_amount, dispute.currency),
                currency=dispute.currency,
                destination=account.stripe_account_id,
                source_transaction="",  # the platform balance: Stripe returned the funds
                transfer_group=item.transfer_group,
                # Not `payout_item_id`: the run and transfer.created look transfers up by it.
                metadata={
                    "retransfer_of_payout_item": str(item.pk),
                    "dispute": dispute.stripe_dispute_id,
                },
                idempotency_key=f"dispute-retransfer-{dispute.stripe_dispute_id}",
            )
        except (GatewayUnavailable, PaymentError) as exc:
            Dispute.objects.filter(pk=dispute.pk).update(retransfer_error=exc.message)
            logger.warning("re-transfer for dispute %s failed: %s", dispute.pk, exc.message)
            continue
        with transaction.atomic():
            if Dispute.objects.filter(pk=dispute.pk, retransfer_id="").update(
                retransfer_id=transfer.id, retransfer_error=""
            ):
                PayoutItem.objects.filter(pk=item.pk).update(
                    amount_transferred=F("amount_transferred") + dispute.retransfer_amount
                )
                sent += 1
    return sent
