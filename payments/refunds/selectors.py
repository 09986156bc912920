"""Reads for pages: what refund-request link each paid purchase on My Bookings shows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone

from payments.models import Payment
from payments.refunds.models import RefundRequest

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from accounts.models import Coach, User


def refund_links_for(
    user: User, *, payment_ids: Iterable[int | None], now: datetime | None = None
) -> dict[int, dict[str, Any]]:
    """{payment_id: {"request": latest RefundRequest or None, "can_ask": bool}} for the
    user's paid payments among `payment_ids` (few: one page of My Bookings)."""
    from payments.refunds.requests import eligibility

    now = now or timezone.now()
    ids = [pk for pk in payment_ids if pk]
    payments = Payment.objects.filter(
        pk__in=ids,
        payer=user,
        status__in=(Payment.Status.COMPLETED, Payment.Status.PARTIALLY_REFUNDED,
                    Payment.Status.REFUNDED),
    )  # fmt: skip
    latest: dict[int, RefundRequest] = {}
    for row in RefundRequest.objects.filter(payment__in=payments).order_by("created_at"):
        latest[row.payment_id] = row
    links = {}
    for payment in payments:
        request = latest.get(payment.pk)
        can_ask = request is None or request.status in RefundRequest.FINAL
        links[payment.pk] = {
            "request": request,
            "can_ask": can_ask
            and payment.refundable_amount > 0
            and not eligibility(payment, now=now),
        }
    return links


def coach_refund_requests(
    *, coach: Coach, waiting_limit: int = 50, others_limit: int = 50
) -> dict[str, Any]:
    """The coach's refund requests: those waiting for their answer (soonest deadline first)
    and the latest others, each list bounded, plus the waiting count (three queries)."""
    base = RefundRequest.objects.filter(coach=coach).select_related("client", "refund")
    waiting = base.filter(status=RefundRequest.Status.OPEN)
    return {
        "waiting": list(waiting.order_by("coach_due_at", "pk")[:waiting_limit]),
        "waiting_count": waiting.count(),
        "others": list(
            base.exclude(status=RefundRequest.Status.OPEN).order_by("-updated_at", "-pk")[
                :others_limit
            ]
        ),
    }
