"""Cancellation refunds (seed 002 calculateRefundAmount, per session type). Pure.

Client cancels more than `full_refund_hours` before the start: everything back; more than
`partial_refund_hours`: `partial_refund_percent`; later: nothing. "More than" is strict, so
cancelling exactly 48 h before gets the partial refund and exactly 24 h before gets nothing.
A coach's cancellation always refunds in full.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from payments.money import quantize


@dataclass(frozen=True)
class RefundDecision:
    percent: int
    amount: Decimal
    explanation: str


def cancellation_refund(
    *,
    paid: Decimal,
    currency: str,
    start: dt.datetime,
    now: dt.datetime,
    session_type,
    by_coach: bool,
) -> RefundDecision:
    if by_coach:
        percent, why = 100, "The coach cancelled: you get everything back."
    else:
        ahead = start - now
        full = dt.timedelta(hours=session_type.full_refund_hours)
        partial = dt.timedelta(hours=session_type.partial_refund_hours)
        if ahead > full:
            percent, why = (
                100,
                f"More than {session_type.full_refund_hours} hours before the start: full refund.",
            )
        elif ahead > partial:
            percent = session_type.partial_refund_percent
            hours = (
                f"{session_type.partial_refund_hours} and {session_type.full_refund_hours} hours"
            )
            why = f"Between {hours} before the start: {percent}% back."
        else:
            percent, why = (
                0,
                f"Less than {session_type.partial_refund_hours} hours before the start: no refund.",
            )
    amount = (
        quantize(paid * Decimal(percent) / Decimal(100), currency) if paid > 0 else Decimal("0")
    )
    return RefundDecision(percent, amount, why)


def reschedule_deadline(*, start: dt.datetime, session_type) -> dt.datetime:
    """A confirmed session can be moved while it could still be cancelled for a full refund."""
    return start - dt.timedelta(hours=session_type.full_refund_hours)
