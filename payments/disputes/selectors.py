"""Reads about disputes for other parts of payments (e.g. the refund service)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from payments.disputes.models import OPEN_STATUSES, Dispute

if TYPE_CHECKING:
    from payments.models import Payment


def open_dispute_of(payment: Payment) -> Dispute | None:
    """The payment's open dispute (inquiry or chargeback), if any."""
    return (
        Dispute.objects.filter(payment=payment, outcome="", status__in=OPEN_STATUSES)
        .order_by("created_at")
        .first()
    )


def refund_blocked_by_dispute(payment: Payment) -> str:
    """Why a refund must not be made on `payment` because of a dispute ("" if it may).

    Stripe: never refund a disputed charge (the chargeback already takes the money back), and
    a lost dispute's charge is not refundable; an inquiry (`warning_*`) can still be settled
    by a full refund, which staff may choose (docs/disputes.md)."""
    disputes = Dispute.objects.filter(payment=payment)
    if disputes.filter(outcome=Dispute.Outcome.LOST).exists():
        return "The client won a dispute on this payment: the money already went back."
    dispute = open_dispute_of(payment)
    if dispute is not None and not dispute.status.startswith("warning_"):
        return "This payment is disputed with the client's bank; it cannot be refunded now."
    return ""
