"""The price a client pays now (seed 000): early bird while now < deadline, else regular."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from payments.pricing import PriceBreakdown, price_breakdown
from webinars.errors import PriceNotSet
from webinars.models import Registration, Webinar

Reason = Registration.PriceReason


@dataclass(frozen=True)
class Quote:
    amount: Decimal | None
    currency: str
    reason: str
    early_bird_until: datetime | None = None

    @property
    def is_set(self) -> bool:
        return self.amount is not None

    @property
    def is_free(self) -> bool:
        return self.amount is not None and self.amount == 0

    @property
    def reason_label(self) -> str:
        return Reason(self.reason).label


def quote(webinar: Webinar, *, now: datetime) -> Quote:
    """Server time decides; nothing the client sends is used."""
    if (
        webinar.early_bird_price is not None
        and webinar.early_bird_deadline is not None
        and now < webinar.early_bird_deadline
    ):
        amount = webinar.early_bird_price
        reason = Reason.FREE if amount == 0 else Reason.EARLY_BIRD
        return Quote(amount, webinar.currency, reason, webinar.early_bird_deadline)
    if webinar.price is None:
        return Quote(None, webinar.currency, Reason.REGULAR)
    reason = Reason.FREE if webinar.price == 0 else Reason.REGULAR
    return Quote(webinar.price, webinar.currency, reason)


def breakdown(webinar: Webinar, *, amount: Decimal, reason: str) -> PriceBreakdown:
    """VAT-included breakdown at the webinar's VAT rate and platform fee."""
    try:
        return price_breakdown(
            amount=amount,
            currency=webinar.currency,
            vat_rate=webinar.vat_rate,
            platform_fee_percent=webinar.platform_fee_percent,
            vat_included=True,
            reason=reason,
        )
    except ValueError as exc:  # e.g. 12.50 JPY: a price the currency cannot charge
        raise PriceNotSet() from exc
