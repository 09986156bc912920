"""Disputes: what a Stripe dispute event changes on our side, and the staff's actions.

Every `charge.dispute.*` event goes through `dispute_sync` with the event's dispute object.
It converges whatever the order or number of deliveries:

- the status only moves forward (`STATUS_RANK`): a stale `created` after `closed` changes
  nothing, and a closed dispute never reopens;
- the open effects (payment DISPUTED, payout item frozen or the coach's part reversed, staff
  alerted) run once, guarded by `frozen_at`, and only while the dispute is open;
- the close effects (payment status restored, freeze lifted, loss allocated) run once,
  guarded by `outcome`. A dispute first seen closed gets the close effects only, which leave
  the money where created-then-closed would have left it.

Lock order: payment, then dispute, then payout item. Stripe is never called with a lock held.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.oncommit import run_on_commit
from payments import gateway
from payments.disputes.errors import DisputeActionRefused
from payments.disputes.models import (
    CLOSED_STATUSES,
    NEEDS_RESPONSE,
    OPEN_STATUSES,
    STATUS_RANK,
    Dispute,
)
from payments.errors import GatewayUnavailable, PaymentError
from payments.finalize import PAID, stripe_id_of
from payments.locks import lock_payment_for_charge
from payments.models import Payment
from payments.money import from_minor_units
from payments.payouts.disputes import (
    payout_item_allocate_loss,
    payout_item_freeze,
    payout_item_release,
)

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from accounts.models import User


logger = logging.getLogger(__name__)

WON_STATUSES = ("won", "warning_closed", "prevented")
# Evidence fields we stage (Stripe's `evidence` hash; text fields only).
EVIDENCE_FIELDS = (
    "product_description",
    "service_date",
    "service_documentation",
    "customer_communication",
    "cancellation_policy",
    "cancellation_policy_disclosure",
    "refund_policy",
    "refund_refusal_explanation",
    "uncategorized_text",
)
EVIDENCE_MAX_CHARS = 150_000  # Stripe: all text evidence together


def _timestamp(value: object) -> datetime | None:
    if isinstance(value, int | float) and value > 0:
        return datetime.fromtimestamp(value, tz=UTC)
    return None


@transaction.atomic
def dispute_sync(*, obj: dict[str, Any], event_type: str = "") -> Dispute:
    """Apply one dispute object (an event payload or an API answer). Idempotent."""
    charge_id = stripe_id_of(obj.get("charge"))
    intent_id = stripe_id_of(obj.get("payment_intent"))
    payment = lock_payment_for_charge(charge_id=charge_id, payment_intent_id=intent_id)
    dispute = _dispute_locked(obj, payment)
    _merge(dispute, obj, payment, charge_id, intent_id)
    now = timezone.now()
    if event_type.endswith("funds_withdrawn") and dispute.funds_withdrawn_at is None:
        dispute.funds_withdrawn_at = now
    if event_type.endswith("funds_reinstated") and dispute.funds_reinstated_at is None:
        dispute.funds_reinstated_at = now
    if payment is not None:
        if dispute.outcome == "" and dispute.status in OPEN_STATUSES:
            _apply_open(dispute, payment)
        elif dispute.outcome == "" and dispute.status in CLOSED_STATUSES:
            _apply_close(dispute, payment)
    elif dispute.outcome == "" and dispute.status in CLOSED_STATUSES:
        dispute.outcome = _outcome_of(dispute.status)
        dispute.closed_at = now
    dispute.save()
    return dispute


def _dispute_locked(obj: dict[str, Any], payment: Payment | None) -> Dispute:
    dispute = Dispute.objects.select_for_update().filter(stripe_dispute_id=obj["id"]).first()
    if dispute is not None:
        return dispute
    currency = str(obj.get("currency") or (payment.currency if payment else "CHF")).upper()
    try:
        with transaction.atomic():
            return Dispute.objects.create(
                stripe_dispute_id=obj["id"],
                status=_status_of(obj) or Dispute.Status.NEEDS_RESPONSE,
                amount=from_minor_units(int(obj.get("amount") or 0), currency),
                currency=currency,
            )
    except IntegrityError:  # a concurrent delivery of another event created it
        return Dispute.objects.select_for_update().get(stripe_dispute_id=obj["id"])


def _status_of(obj: dict[str, Any]) -> str:
    status = obj.get("status")
    return status if status in STATUS_RANK else ""


def _merge(
    dispute: Dispute, obj: dict[str, Any], payment: Payment | None, charge_id: str, intent_id: str
) -> None:
    """Take the object's facts unless it is older than what we have (a lower status rank)."""
    incoming = _status_of(obj)
    if dispute.outcome or (
        dispute.stripe_object and STATUS_RANK.get(incoming, -1) < STATUS_RANK[dispute.status]
    ):
        if not dispute.stripe_object:
            dispute.stripe_object = obj
        return
    currency = str(obj.get("currency") or dispute.currency).upper()
    dispute.status = incoming or dispute.status
    dispute.currency = currency
    dispute.amount = from_minor_units(int(obj.get("amount") or 0), currency)
    dispute.reason = str(obj.get("reason") or "")[:64]
    dispute.is_charge_refundable = bool(obj.get("is_charge_refundable"))
    due_by = _timestamp((obj.get("evidence_details") or {}).get("due_by"))
    dispute.due_by = due_by or dispute.due_by
    dispute.stripe_charge_id = charge_id or dispute.stripe_charge_id
    dispute.stripe_payment_intent_id = intent_id or dispute.stripe_payment_intent_id
    dispute.stripe_object = obj
    if payment is not None and dispute.payment_id is None:
        from payments.disputes.evidence import purchase_label

        dispute.payment = payment
        dispute.coach_id = payment.coach_id
        dispute.purchase_label = purchase_label(payment)[:255]


def _apply_open(dispute: Dispute, payment: Payment) -> None:
    if dispute.frozen_at is not None:
        return
    if payment.status not in PAID:
        # Our payment webhook has not completed it yet: the reconcile task freezes it later.
        logger.warning("dispute %s: payment %s is %s", dispute.pk, payment.pk, payment.status)
        return
    if payment.status != Payment.Status.DISPUTED:
        dispute.payment_status_before = payment.status
        payment.status = Payment.Status.DISPUTED
        payment.save(update_fields=["status", "updated_at"])
    payout_item_freeze(
        dispute=dispute, payment=payment, reverse_paid=settings.DISPUTE_REVERSE_PAID_ON_OPEN
    )
    dispute.frozen_at = timezone.now()
    run_on_commit(_alert_staff_opened, dispute.pk, log_as="Dispute opened alert")


def _outcome_of(status: str) -> str:
    return Dispute.Outcome.WON if status in WON_STATUSES else Dispute.Outcome.LOST


def _apply_close(dispute: Dispute, payment: Payment) -> None:
    dispute.outcome = _outcome_of(dispute.status)
    dispute.closed_at = timezone.now()
    if payment.status == Payment.Status.DISPUTED and dispute.payment_status_before:
        payment.status = dispute.payment_status_before
        payment.save(update_fields=["status", "updated_at"])
    if dispute.outcome == Dispute.Outcome.WON:
        payout_item_release(dispute=dispute, payment=payment)
    else:
        payout_item_allocate_loss(
            dispute=dispute, payment=payment, policy=settings.DISPUTE_LOSS_POLICY
        )
    run_on_commit(_alert_staff_closed, dispute.pk, log_as="Dispute closed alert")


def disputes_reconcile() -> int:
    """Open disputes whose payment completed after the dispute arrived: freeze them now."""
    done = 0
    waiting = Dispute.objects.filter(
        outcome="", status__in=OPEN_STATUSES, frozen_at__isnull=True, payment__status__in=PAID
    ).values_list("stripe_object", flat=True)
    for obj in waiting:
        if obj:
            dispute_sync(obj=obj)
            done += 1
    return done


def disputes_sync_from_stripe(*, charge_id: str = "") -> list[Dispute]:
    """Apply every dispute Stripe lists (all pages; one charge's with `charge_id`). Safe to
    run any time: dispute_sync converges with whatever the webhooks already did."""
    filters: dict[str, Any] = {"charge": charge_id} if charge_id else {}
    return [dispute_sync(obj=obj) for obj in gateway.dispute_list(**filters)]


# --- staff actions ------------------------------------------------------------------------


@transaction.atomic
def dispute_evidence_stage(*, dispute_id: int, evidence: dict[str, Any], staff: User) -> Dispute:
    """Keep evidence on our side until it is submitted (no Stripe call)."""
    dispute = Dispute.objects.select_for_update().get(pk=dispute_id)
    if not dispute.can_submit_evidence:
        raise DisputeActionRefused("Evidence can no longer be changed for this dispute.")
    cleaned = {k: str(v).strip() for k, v in evidence.items() if k in EVIDENCE_FIELDS and v}
    if sum(len(v) for v in cleaned.values()) > EVIDENCE_MAX_CHARS:
        raise DisputeActionRefused("Evidence is limited to 150,000 characters in total.")
    dispute.evidence = cleaned
    dispute.evidence_staged_at = timezone.now()
    dispute.evidence_staged_by = staff
    dispute.save(update_fields=["evidence", "evidence_staged_at", "evidence_staged_by"])
    return dispute


def dispute_evidence_submit(*, dispute_id: int, staff: User) -> Dispute:
    """Send the staged evidence to Stripe, once: reserve under the lock, call Stripe without
    it (stable idempotency key), record. A second submit is refused."""
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().get(pk=dispute_id)
        if not dispute.can_submit_evidence:
            raise DisputeActionRefused("Evidence was already submitted or is no longer accepted.")
        if not dispute.evidence:
            raise DisputeActionRefused("Stage some evidence first.")
        dispute.submit_started_at = timezone.now()
        dispute.submitted_by = staff
        dispute.save(update_fields=["submit_started_at", "submitted_by"])
    try:
        answer = gateway.dispute_update(
            dispute_id=dispute.stripe_dispute_id,
            evidence=dispute.evidence,
            submit=True,
            idempotency_key=dispute.submit_idempotency_key,
        )
    except GatewayUnavailable:
        Dispute.objects.filter(pk=dispute.pk).update(submit_started_at=None)
        raise
    except PaymentError:
        Dispute.objects.filter(pk=dispute.pk).update(submit_started_at=None)
        raise
    Dispute.objects.filter(pk=dispute.pk).update(submitted_at=timezone.now())
    return dispute_sync(obj=answer)


def dispute_accept(*, dispute_id: int, staff: User) -> Dispute:
    """Concede the dispute (Stripe: close, irreversible; the dispute becomes lost)."""
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().get(pk=dispute_id)
        if not dispute.is_open or dispute.accepted_at is not None:
            raise DisputeActionRefused("This dispute is already closed.")
        dispute.accepted_at = timezone.now()
        dispute.accepted_by = staff
        dispute.save(update_fields=["accepted_at", "accepted_by"])
    try:
        answer = gateway.dispute_close(
            dispute_id=dispute.stripe_dispute_id,
            idempotency_key=f"dispute-close-{dispute.stripe_dispute_id}",
        )
    except PaymentError:
        Dispute.objects.filter(pk=dispute.pk).update(accepted_at=None, accepted_by=None)
        raise
    return dispute_sync(obj=answer)


# --- alerts ---------------------------------------------------------------------------------


def _staff() -> QuerySet[User]:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(is_staff=True, is_active=True, is_superuser=True)


def _notify_staff(dispute_id: int, notification_type: str, context: dict[str, Any]) -> None:
    from notifications.services import notify

    dispute = Dispute.objects.select_related("coach__user").get(pk=dispute_id)
    logger.error(
        "STAFF ATTENTION: dispute %s (%s %s, %s) %s",
        dispute.stripe_dispute_id,
        dispute.currency,
        dispute.amount,
        dispute.reason,
        notification_type,
    )
    facts = {
        "amount": str(dispute.amount),
        "currency": dispute.currency,
        "reason": dispute.reason,
        "due_by": dispute.due_by.isoformat() if dispute.due_by else "",
        "purchase": dispute.purchase_label,
        "outcome": dispute.outcome,
        **context,
    }
    for staff in _staff():
        notify(recipient=staff, type=notification_type, target=dispute, context=facts)


def _alert_staff_opened(dispute_id: int) -> None:
    from notifications.types import NotificationType

    _notify_staff(dispute_id, NotificationType.DISPUTE_OPENED, {})


def _alert_staff_closed(dispute_id: int) -> None:
    from notifications.types import NotificationType

    _notify_staff(dispute_id, NotificationType.DISPUTE_CLOSED, {})


def dispute_reminders_send(*, now: datetime | None = None) -> int:
    """Remind staff once about each open dispute whose evidence is due within
    DISPUTE_REMIND_DAYS_BEFORE days and not submitted yet."""
    from datetime import timedelta

    from notifications.types import NotificationType

    now = now or timezone.now()
    horizon = now + timedelta(days=settings.DISPUTE_REMIND_DAYS_BEFORE)
    sent = 0
    due = Dispute.objects.filter(
        outcome="",
        status__in=NEEDS_RESPONSE,
        submit_started_at__isnull=True,
        reminded_at__isnull=True,
        due_by__isnull=False,
        due_by__lte=horizon,
    )
    for dispute_id in due.values_list("pk", flat=True):
        if Dispute.objects.filter(pk=dispute_id, reminded_at__isnull=True).update(reminded_at=now):
            _notify_staff(dispute_id, NotificationType.DISPUTE_DUE_SOON, {})
            sent += 1
    return sent
