"""Price breakdowns: what a client pays and where it goes, exact in minor units.

    total = net + vat_amount          (VAT included in the price, or added on top of it)
    net   = platform_fee + coach_share

VAT and the platform fee are rounded half-up to the currency's minor unit; the remainders go
to `net` and `coach_share`, so the parts always add up to the total to the last cent/yen.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from payments.money import quantize

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class PriceBreakdown:
    total: Decimal
    net: Decimal
    vat_rate: Decimal
    vat_amount: Decimal
    vat_included: bool
    platform_fee_percent: Decimal
    platform_fee: Decimal
    coach_share: Decimal
    currency: str
    reason: str

    @property
    def is_free(self) -> bool:
        return self.total == 0

    def as_snapshot(self) -> dict[str, str | bool]:
        """JSON-safe, frozen on Payment.price_snapshot."""
        return {
            "total": str(self.total),
            "net": str(self.net),
            "vat_rate": str(self.vat_rate),
            "vat_amount": str(self.vat_amount),
            "vat_included": self.vat_included,
            "platform_fee_percent": str(self.platform_fee_percent),
            "platform_fee": str(self.platform_fee),
            "coach_share": str(self.coach_share),
            "currency": self.currency,
            "reason": self.reason,
        }


def price_breakdown(
    *,
    amount: Decimal,
    currency: str,
    vat_rate: Decimal,
    platform_fee_percent: Decimal,
    vat_included: bool = True,
    reason: str = "regular",
) -> PriceBreakdown:
    """Split `amount` (the price as configured) into its parts.

    `vat_included=True`: `amount` is what the client pays and contains VAT at `vat_rate`.
    `vat_included=False`: `amount` is net and VAT is added on top.
    """
    currency = currency.upper()
    amount = Decimal(amount)
    vat_rate = Decimal(vat_rate)
    platform_fee_percent = Decimal(platform_fee_percent)
    if amount < 0 or vat_rate < 0 or not 0 <= platform_fee_percent <= HUNDRED:
        raise ValueError("Amount, VAT rate and fee must be non-negative (fee at most 100%).")
    if quantize(amount, currency) != amount:
        raise ValueError(f"{amount} has more precision than {currency} allows.")
    if vat_included:
        total = amount
        vat_amount = quantize(total * vat_rate / (HUNDRED + vat_rate), currency)
        net = total - vat_amount
    else:
        net = amount
        vat_amount = quantize(net * vat_rate / HUNDRED, currency)
        total = net + vat_amount
    platform_fee = quantize(net * platform_fee_percent / HUNDRED, currency)
    return PriceBreakdown(
        total=total,
        net=net,
        vat_rate=vat_rate,
        vat_amount=vat_amount,
        vat_included=vat_included,
        platform_fee_percent=platform_fee_percent,
        platform_fee=platform_fee,
        coach_share=net - platform_fee,
        currency=currency,
        reason=reason,
    )
