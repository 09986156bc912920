from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

from payments.money import format_money

register = template.Library()


@register.filter
def money(amount: Decimal, currency: str = "CHF") -> str:
    """`{{ payment.amount_total|money:payment.currency }}` -> "CHF 120.00" (JPY: no decimals)."""
    if amount in (None, ""):
        return ""
    try:
        return format_money(Decimal(str(amount)), currency or "CHF")
    except (InvalidOperation, ValueError):
        return ""


@register.filter
def percent(value: object) -> str:
    """`{{ webinar.vat_rate|percent }}` -> "8.1%" (no trailing zeros)."""
    if value in (None, ""):
        return ""
    try:
        number = Decimal(str(value)).normalize()
    except InvalidOperation:
        return ""
    return f"{number:f}%"


@register.filter
def refund_link_for(
    links: dict[int, dict[str, Any]] | None, payment_id: int | None
) -> dict[str, Any] | None:
    """`{% with link=refund_links|refund_link_for:booking.payment_id %}` (My Bookings)."""
    if not links or not payment_id:
        return None
    return links.get(payment_id)
