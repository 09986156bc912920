"""What an attendee gets back when they give their seat back (issue 15 #3). Pure.

The webinar's own terms, set by the coach (defaults as for 1:1 sessions): cancelling more than
`full_refund_hours` before the first slot starts refunds everything; more than
`partial_refund_hours`, `partial_refund_percent`; later, nothing. "More than" is strict, as in
bookings/policy.py: exactly 48 h before gets the partial refund, exactly 24 h before nothing.
Once the webinar has started a seat can no longer be cancelled (the service refuses).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from payments.money import quantize


@dataclass(frozen=True)
class SeatRefund:
    percent: int
    amount: Decimal
    explanation: str


def terms_text(webinar) -> str:
    """The terms in one sentence, for the webinar page."""
    full, partial = webinar.full_refund_hours, webinar.partial_refund_hours
    percent = webinar.partial_refund_percent
    text = f"Cancel more than {full} hours before the start for a full refund"
    if partial < full and percent:
        text += f", more than {partial} hours before for {percent}% back"
    return text + "; later, no refund."


def seat_refund(*, paid: Decimal, currency: str, webinar, start: dt.datetime, now: dt.datetime):
    ahead = start - now
    full = dt.timedelta(hours=webinar.full_refund_hours)
    partial = dt.timedelta(hours=webinar.partial_refund_hours)
    if ahead > full:
        percent = 100
        why = f"More than {webinar.full_refund_hours} hours before the start: full refund."
    elif ahead > partial and webinar.partial_refund_percent:
        percent = webinar.partial_refund_percent
        hours = f"{webinar.partial_refund_hours} and {webinar.full_refund_hours} hours"
        why = f"Between {hours} before the start: {percent}% back."
    else:
        percent = 0
        why = f"Less than {webinar.partial_refund_hours} hours before the start: no refund."
    if paid <= 0:
        return SeatRefund(percent, Decimal("0"), "A free seat: nothing to refund.")
    amount = quantize(paid * Decimal(percent) / Decimal(100), currency)
    return SeatRefund(percent, amount, why)
