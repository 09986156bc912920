"""The payout run (process_payouts and its beat task): claim due items in short
transactions, transfer outside any lock with a stable idempotency key, record in another
transaction, then write one settlement per coach. See docs/payouts.md."""

from __future__ import annotations

import logging
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.oncommit import run_on_commit
from payments.errors import PaymentError
from payments.money import to_minor_units
from payments.payouts import gateway, hooks
from payments.payouts.models import (
    CoachDebt,
    ConnectAccount,
    DebtNetting,
    PayoutItem,
    PayoutReversal,
    Settlement,
)
from payments.payouts.refunds import reversals_process
from payments.payouts.schedule import payout_items_materialize

if TYPE_CHECKING:
    from accounts.models import Coach


logger = logging.getLogger(__name__)

# Stripe may prune idempotency keys after 24 h: older claims look the transfer up first.
IDEMPOTENCY_KEY_TTL = timedelta(hours=24)
LOCK_TTL = timedelta(minutes=10)
BACKOFF_BASE_SECONDS = 60
BACKOFF_CAP_SECONDS = 6 * 3600

READY_COACH = Q(
    coach__connect_account__details_submitted=True,
    coach__connect_account__payouts_enabled=True,
    coach__connect_account__transfers_capability="active",
)


@dataclass
class PayoutReport:
    run_id: str
    dry_run: bool = False
    materialized: int = 0
    claimed: int = 0
    paid: int = 0
    retrying: int = 0
    failed: int = 0
    blocked: int = 0
    not_ready: int = 0
    reversals: int = 0
    settlements: list[int] = field(default_factory=list)
    due: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        keys = ("materialized", "claimed", "paid", "retrying", "failed", "blocked", "not_ready")
        text = ", ".join(f"{key} {getattr(self, key)}" for key in keys)
        return f"run {self.run_id}: {text}, reversals {self.reversals}, " + (
            f"settlements {len(self.settlements)}"
        )


def _due(now: datetime) -> Q:
    return Q(status=PayoutItem.Status.PENDING, next_attempt_at__lte=now) | Q(
        status=PayoutItem.Status.PROCESSING, locked_until__lt=now
    )


def backoff(attempts: int) -> timedelta:
    """Exponential backoff with full jitter (AWS: 'Exponential Backoff And Jitter')."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1))
    return timedelta(seconds=random.uniform(0, ceiling))  # noqa: S311 (not cryptographic)


def payouts_process(
    *,
    now: datetime | None = None,
    coach_id: int | None = None,
    dry_run: bool = False,
    batch_size: int = 50,
    lock: bool = True,
) -> PayoutReport:
    """Pay everything due. `lock=False` exists only for the concurrency test's control."""
    now = now or timezone.now()
    report = PayoutReport(run_id=uuid.uuid4().hex, dry_run=dry_run)
    scope = Q() if coach_id is None else Q(coach_id=coach_id)
    if dry_run:
        from payments.payouts.schedule import hold, with_service_end
        from payments.payouts.selectors import unpaid_payments

        payments = with_service_end(unpaid_payments().filter(scope))
        report.due = [p.pk for p in payments if p.service_end and p.service_end + hold() <= now]
        report.due += list(
            PayoutItem.objects.filter(scope & _due(now)).values_list("payment_id", flat=True)
        )
        return report
    report.materialized = payout_items_materialize(now=now, coach_id=coach_id)
    report.reversals = reversals_process(now=now, coach_id=coach_id)
    report.not_ready = PayoutItem.objects.filter(scope & _due(now)).exclude(READY_COACH).count()
    while True:
        batch = _claim(now=now, scope=scope, run_id=report.run_id, size=batch_size, lock=lock)
        if not batch:
            break
        report.claimed += len(batch)
        by_coach: dict[int, list[PayoutItem]] = defaultdict(list)
        for item in batch:
            by_coach[item.coach_id].append(item)
        for items in by_coach.values():
            coach = items[0].coach
            try:
                hooks.run_before_transfer(coach, items)
            except hooks.PayoutBlocked as exc:
                _release_blocked(items, exc.reason, now)
                report.blocked += len(items)
                continue
            except Exception as exc:
                logger.exception("before_transfer hook failed for coach %s", coach.pk)
                for item in items:
                    _record_failure(item, exc, now, report)
                continue
            for item in items:
                _pay(item, now, report)
    report.settlements = settlements_write(run_id=report.run_id, scope=scope)
    logger.info("payouts: %s", report)
    return report


def _claim(*, now: datetime, scope: Q, run_id: str, size: int, lock: bool) -> list[PayoutItem]:
    """pending -> processing, attempts + 1, locked_until, in one short transaction. Items of
    coaches who are not ready are never claimed (no attempt spent)."""
    with transaction.atomic():
        candidates = (
            PayoutItem.objects.filter(scope & _due(now) & READY_COACH)
            .exclude(run_id=run_id)
            .order_by("pk")
        )
        if lock:
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        ids = list(candidates.values_list("pk", flat=True)[:size])
        if not ids:
            return []
        PayoutItem.objects.filter(pk__in=ids).update(
            status=PayoutItem.Status.PROCESSING,
            attempts=F("attempts") + 1,
            locked_until=now + LOCK_TTL,
            run_id=run_id,
            first_attempt_at=Coalesce(F("first_attempt_at"), now),
            blocked_reason="",
        )
        items = list(
            PayoutItem.objects.filter(pk__in=ids)
            .select_related("coach__connect_account", "coach__user", "payment")
            .order_by("pk")
        )
        _net_debts(items)
    return items


def _net_debts(items: list[PayoutItem]) -> None:
    """Take outstanding debts from items claimed for the first time (caller's transaction)."""
    fresh = [i for i in items if i.attempts == 1 and i.debt_netted == 0]
    coach_ids = {i.coach_id for i in fresh}
    if not coach_ids:
        return
    debts = list(
        CoachDebt.objects.select_for_update()
        .filter(coach_id__in=coach_ids, remaining__gt=0)
        .order_by("created_at", "pk")
    )
    for debt in debts:
        for item in fresh:
            if debt.remaining <= 0:
                break
            if item.coach_id != debt.coach_id or item.currency != debt.currency:
                continue
            take = min(debt.remaining, item.transfer_amount)
            if take <= 0:
                continue
            DebtNetting.objects.create(debt=debt, item=item, amount=take)
            item.debt_netted += take
            debt.remaining -= take
            item.save(update_fields=["debt_netted", "updated_at"])
        if debt.remaining == 0:
            debt.settled_at = timezone.now()
        debt.save(update_fields=["remaining", "settled_at"])


def _release_blocked(items: list[PayoutItem], reason: str, now: datetime) -> None:
    PayoutItem.objects.filter(pk__in=[i.pk for i in items]).update(
        status=PayoutItem.Status.PENDING,
        attempts=F("attempts") - 1,
        locked_until=None,
        next_attempt_at=now,
        blocked_reason=reason[:255],
    )


def _existing_transfer(item: PayoutItem) -> gateway.TransferResult | None:
    for transfer in gateway.transfer_list(
        transfer_group=item.transfer_group,
        destination=item.coach.connect_account.stripe_account_id,
    ):
        if transfer.metadata.get("payout_item_id") == str(item.pk):
            return transfer
    return None


def transfer_send(item: PayoutItem) -> gateway.TransferResult:
    """The Stripe call for one item: always the same parameters and key for the same item."""
    return gateway.transfer_create(
        amount_minor=to_minor_units(item.transfer_amount, item.currency),
        currency=item.currency,
        destination=item.coach.connect_account.stripe_account_id,
        source_transaction=item.payment.stripe_charge_id,
        transfer_group=item.transfer_group,
        metadata={
            "payout_item_id": str(item.pk),
            "payment_id": str(item.payment_id),
            "coach_id": str(item.coach_id),
        },
        idempotency_key=item.idempotency_key,
    )


def _pay(item: PayoutItem, now: datetime, report: PayoutReport) -> None:
    """No lock held and no transaction open: Stripe first, then record."""
    amount_minor = to_minor_units(item.transfer_amount, item.currency)
    transfer = None
    try:
        if amount_minor > 0:
            if item.first_attempt_at and now - item.first_attempt_at >= IDEMPOTENCY_KEY_TTL:
                transfer = _existing_transfer(item)
            if transfer is None:
                transfer = transfer_send(item)
    except PaymentError as exc:
        _record_failure(item, exc, now, report)
        return
    updated = PayoutItem.objects.filter(pk=item.pk, status=PayoutItem.Status.PROCESSING).update(
        status=PayoutItem.Status.PAID,
        stripe_transfer_id=transfer.id if transfer else "",
        amount_transferred=item.transfer_amount,
        paid_at=now,
        locked_until=None,
        last_error="",
        run_id=report.run_id,
    )
    report.paid += updated


def _record_failure(item: PayoutItem, exc: Exception, now: datetime, report: PayoutReport) -> None:
    message = getattr(exc, "message", None) or repr(exc)
    with transaction.atomic():
        current = PayoutItem.objects.select_for_update().get(pk=item.pk)
        if current.status != PayoutItem.Status.PROCESSING:
            return
        current.last_error = str(message)[:2000]
        current.locked_until = None
        if current.attempts >= settings.PAYOUT_MAX_ATTEMPTS:
            current.status = PayoutItem.Status.FAILED
            _undo_netting(current)
            report.failed += 1
            run_on_commit(_alert_staff, current.pk, log_as="Payout failure alert")
        else:
            current.status = PayoutItem.Status.PENDING
            current.next_attempt_at = now + backoff(current.attempts)
            report.retrying += 1
        current.save()


def _undo_netting(item: PayoutItem) -> None:
    for netting in DebtNetting.objects.filter(item=item).select_related("debt"):
        CoachDebt.objects.filter(pk=netting.debt_id).update(
            remaining=F("remaining") + netting.amount, settled_at=None
        )
        netting.delete()
    item.debt_netted = 0


def _alert_staff(item_id: int) -> None:
    from payments.payouts.alerts import payout_failed_alert

    payout_failed_alert(item_id=item_id)


def settlements_write(*, run_id: str, scope: Q = Q()) -> list[int]:  # noqa: B008
    """One settlement per coach and currency for what this run paid (and reversals/debts
    since the coach's last settlement); its PDF is rendered after commit."""
    created: list[int] = []
    rows = (
        PayoutItem.objects.filter(scope, run_id=run_id, status=PayoutItem.Status.PAID)
        .filter(settlement__isnull=True)
        .values("coach_id", "currency")
        .annotate(total=Sum("amount_transferred"))
    )
    for row in rows:
        with transaction.atomic():
            settlement, fresh = Settlement.objects.get_or_create(
                coach_id=row["coach_id"],
                run_id=run_id,
                currency=row["currency"],
                defaults={"total_transferred": row["total"]},
            )
            if not fresh:
                continue
            PayoutItem.objects.filter(
                run_id=run_id,
                coach_id=row["coach_id"],
                currency=row["currency"],
                status=PayoutItem.Status.PAID,
                settlement__isnull=True,
            ).update(settlement=settlement)
            PayoutReversal.objects.filter(
                item__coach_id=row["coach_id"],
                item__currency=row["currency"],
                status__in=[PayoutReversal.Status.DONE, PayoutReversal.Status.DEBT],
                settlement__isnull=True,
            ).update(settlement=settlement)
            run_on_commit(_after_settlement, settlement.pk, log_as="Settlement follow-up")
        created.append(settlement.pk)
    return created


def _after_settlement(settlement_id: int) -> None:
    from payments.payouts.tasks import render_settlement_advice

    render_settlement_advice.delay(settlement_id)
    hooks.run_after_settlement(Settlement.objects.get(pk=settlement_id))


def coach_is_ready(coach: Coach) -> bool:
    return ConnectAccount.objects.filter(ConnectAccount.READY, coach=coach).exists()
