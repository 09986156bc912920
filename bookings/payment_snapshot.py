"""The 1:1 quote handed to the payments core: its PriceBreakdown plus our line items, so the
Payment's frozen price_snapshot shows how the price was built (seed 004 priceSnapshot)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from payments.pricing import PriceBreakdown


@dataclass(frozen=True)
class SessionPriceBreakdown(PriceBreakdown):
    lines: tuple = ()
    discount: dict | None = None

    def as_snapshot(self) -> dict:
        return {**super().as_snapshot(), "lines": list(self.lines), "discount": self.discount}

    @classmethod
    def from_snapshot(cls, snapshot: dict, *, reason: str = "session") -> SessionPriceBreakdown:
        """From bookings.pricing.Quote.breakdown (what Booking.price_snapshot holds)."""
        discount = next(
            (
                {"label": line["label"], "amount": line["amount"], "kind": line["kind"]}
                for line in snapshot["lines"]
                if line["kind"] in ("discount_code", "automatic_discount")
            ),
            None,
        )
        return cls(
            total=Decimal(snapshot["total"]),
            net=Decimal(snapshot["net"]),
            vat_rate=Decimal(snapshot["vat"]["rate"]),
            vat_amount=Decimal(snapshot["vat"]["amount"]),
            vat_included=bool(snapshot["vat"]["included"]),
            platform_fee_percent=Decimal(snapshot["platform_fee"]["percent"]),
            platform_fee=Decimal(snapshot["platform_fee"]["amount"]),
            coach_share=Decimal(snapshot["coach_share"]),
            currency=snapshot["currency"],
            reason=reason,
            lines=tuple(snapshot["lines"]),
            discount=discount,
        )
