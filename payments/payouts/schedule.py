"""When a payment's coach share becomes due: PAYOUT_HOLD_HOURS after the service ended (the
session's end, or the webinar's last slot), and the items that turns into."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict, cast

from django.conf import settings
from django.db import transaction
from django.db.models import DateTimeField, F, Q, Subquery, Value
from django.db.models.functions import Coalesce

from payments.models import Payment
from payments.money import quantize
from payments.payouts.models import PayoutItem

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.db.models.expressions import BaseExpression
    from django_stubs_ext import WithAnnotations

KEEPS_MONEY = (Payment.Status.COMPLETED, Payment.Status.PARTIALLY_REFUNDED)


class ServiceEnd(TypedDict):
    """What `with_service_end` annotates: None when no source knows the payment."""

    service_end: datetime | None


def hold() -> timedelta:
    return timedelta(hours=max(0, int(settings.PAYOUT_HOLD_HOURS)))


# Each app that sells something registers how to find when the service a payment paid for
# ended: a function returning a Subquery of one DateTimeField over OuterRef("pk") of Payment
# (bookings: the session's end; webinars: the last slot's end). payments imports neither app.
_SERVICE_END_SOURCES: list[Callable[[], Subquery]] = []


def register_service_end(source: Callable[[], Subquery]) -> None:
    if source not in _SERVICE_END_SOURCES:
        _SERVICE_END_SOURCES.append(source)


def with_service_end(
    queryset: QuerySet[Payment],
) -> QuerySet[WithAnnotations[Payment, ServiceEnd]]:
    """Annotate payments with `service_end` from the registered sources (the first that
    knows the payment)."""
    ends = [source() for source in _SERVICE_END_SOURCES]
    expression: BaseExpression
    if not ends:
        expression = Value(None, output_field=DateTimeField())
    elif len(ends) == 1:
        expression = ends[0]
    else:
        expression = Coalesce(*ends, output_field=DateTimeField())
    return queryset.annotate(service_end=expression)


def transfer_group_of(payment: Payment) -> str:
    return payment.transfer_group or f"payment_{payment.pk}"


def proportional_deduction(payment: Payment, refunded_total: Decimal) -> Decimal:
    if payment.amount_total <= 0:
        return Decimal(0)
    share = payment.coach_share * refunded_total / payment.amount_total
    return min(payment.coach_share, quantize(share, payment.currency))


def payout_items_materialize(*, now: datetime, coach_id: int | None = None) -> int:
    """Turn every payment whose service ended at least the hold period ago into a due item
    (or make its on-hold item due). Part of process_payouts: no other job must run first."""
    cutoff = now - hold()
    payments = with_service_end(
        Payment.objects.filter(status__in=KEEPS_MONEY, coach_share__gt=0).filter(
            Q(payout_item__isnull=True) | Q(payout_item__status=PayoutItem.Status.ON_HOLD)
        )
    ).filter(service_end__lte=cutoff)
    if coach_id is not None:
        payments = payments.filter(coach_id=coach_id)
    new_items, made_due = [], 0
    for payment in payments.select_related("payout_item").iterator(chunk_size=500):
        item = getattr(payment, "payout_item", None)
        # Never None here: the query keeps only service_end <= cutoff.
        service_end = cast(datetime, payment.service_end)
        due_at = service_end + hold()
        if item is None:
            new_items.append(
                PayoutItem(
                    payment=payment,
                    coach_id=payment.coach_id,
                    status=PayoutItem.Status.PENDING,
                    currency=payment.currency,
                    gross_share=payment.coach_share,
                    refund_deduction=proportional_deduction(payment, payment.amount_refunded),
                    transfer_group=transfer_group_of(payment),
                    service_ended_at=service_end,
                    due_at=due_at,
                    next_attempt_at=now,
                )
            )
        else:
            made_due += PayoutItem.objects.filter(
                pk=item.pk, status=PayoutItem.Status.ON_HOLD
            ).update(
                status=PayoutItem.Status.PENDING,
                service_ended_at=service_end,
                due_at=due_at,
                next_attempt_at=now,
            )
    with transaction.atomic():
        created = PayoutItem.objects.bulk_create(new_items, batch_size=500, ignore_conflicts=True)
    # Nothing left to pay after refunds: nothing is transferred.
    PayoutItem.objects.filter(
        status=PayoutItem.Status.PENDING, gross_share=models_f("refund_deduction")
    ).update(status=PayoutItem.Status.CANCELLED)
    return len(created) + made_due


def models_f(name: str) -> F:
    from django.db.models import F

    return F(name)
