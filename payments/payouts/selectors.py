"""Reads for the coach's "Get paid" page and dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from payments.models import Payment
from payments.payouts.models import CoachDebt, ConnectAccount, PayoutItem, Settlement
from payments.payouts.schedule import KEEPS_MONEY, hold, proportional_deduction, with_service_end

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from accounts.models import Coach


@dataclass
class Upcoming:
    payment: Payment
    amount: Decimal
    due_at: datetime | None


def unpaid_payments() -> QuerySet[Payment]:
    """Payments that keep money and whose coach share was not made due yet."""
    return Payment.objects.filter(status__in=KEEPS_MONEY, coach_share__gt=0).filter(
        Q(payout_item__isnull=True) | Q(payout_item__status=PayoutItem.Status.ON_HOLD)
    )


def account_state(coach: Coach) -> dict[str, Any]:
    account = ConnectAccount.objects.filter(coach=coach).first()
    if account is None:
        return {"state": "not_connected", "account": None, "requirements": []}
    return {
        "state": account.state,
        "account": account,
        "requirements": [r.replace("_", " ").replace(".", ": ") for r in account.requirements_due],
    }


def payouts_overview(*, coach: Coach, now: datetime) -> dict[str, Any]:
    upcoming = []
    payments = with_service_end(unpaid_payments().filter(coach=coach)).select_related("payout_item")
    for payment in payments.order_by("created_at"):
        item = getattr(payment, "payout_item", None)
        deduction = (
            item.refund_deduction
            if item is not None
            else proportional_deduction(payment, payment.amount_refunded)
        )
        due = payment.service_end + hold() if payment.service_end else None
        upcoming.append(Upcoming(payment, payment.coach_share - deduction, due))
    items = PayoutItem.objects.filter(coach=coach).select_related("settlement", "payment")
    return {
        **account_state(coach),
        "upcoming": upcoming,
        "due": items.filter(status__in=[PayoutItem.Status.PENDING, PayoutItem.Status.PROCESSING]),
        "paid": items.filter(status=PayoutItem.Status.PAID).order_by("-paid_at")[:50],
        "failed": items.filter(status=PayoutItem.Status.FAILED),
        "frozen": items.filter(status=PayoutItem.Status.FROZEN),
        "debts": CoachDebt.objects.filter(coach=coach, remaining__gt=0),
        "settlements": Settlement.objects.filter(coach=coach)[:24],
        "currency": coach.currency,
    }


def coach_webinar_earnings(*, coach: Coach, start: datetime, end: datetime) -> Decimal:
    """The coach's share of webinar seats sold (paid) in [start, end), less refunds."""
    from payments.finalize import PAID
    from payments.money import quantize

    total = Decimal(0)
    payments = Payment.objects.filter(
        coach=coach,
        purpose=Payment.Purpose.WEBINAR_REGISTRATION,
        status__in=PAID,
        completed_at__gte=start,
        completed_at__lt=end,
    ).only("amount_total", "amount_refunded", "coach_share", "currency")
    for payment in payments:
        if payment.amount_total:
            kept = payment.amount_total - payment.amount_refunded
            total += quantize(payment.coach_share * kept / payment.amount_total, payment.currency)
    return total


def payout_summary(*, coach: Coach) -> dict[str, Any]:
    """Mission Control's payouts widget: account state, what is due or failed, the last
    payout. A fixed number of queries."""
    from django.db.models import Count, F, Sum

    items = PayoutItem.objects.filter(coach=coach)
    due = items.filter(
        status__in=[PayoutItem.Status.PENDING, PayoutItem.Status.PROCESSING]
    ).aggregate(total=Sum(F("gross_share") - F("refund_deduction")), count=Count("pk"))
    failed = items.filter(status=PayoutItem.Status.FAILED).count()
    last_paid = items.filter(status=PayoutItem.Status.PAID).order_by("-paid_at").first()
    return {
        **account_state(coach),
        "due_total": due["total"] or Decimal(0),
        "due_count": due["count"],
        "failed_count": failed,
        "last_paid": last_paid,
        "currency": coach.currency,
    }
