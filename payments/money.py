"""Money helpers. Amounts are Decimal in the currency's unit in our tables and integer minor
units at Stripe, converted by the currency's exponent (ISO 4217)."""

from decimal import ROUND_HALF_UP, Decimal

# Zero-decimal currencies at Stripe (https://docs.stripe.com/currencies#zero-decimal);
# three-decimal ones (BHD, KWD, ...) are not offered on this platform.
ZERO_DECIMAL_CURRENCIES = frozenset(
    {
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "JPY",
        "KMF",
        "KRW",
        "MGA",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    }
)
SUPPORTED_CURRENCIES = ("CHF", "EUR", "USD", "GBP", "JPY")


def currency_exponent(currency: str) -> int:
    return 0 if currency.upper() in ZERO_DECIMAL_CURRENCIES else 2


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round half-up to the currency's minor unit (0.05 CHF cash rounding is not applied)."""
    exp = currency_exponent(currency)
    return Decimal(amount).quantize(Decimal(1).scaleb(-exp), rounding=ROUND_HALF_UP)


def to_minor_units(amount: Decimal, currency: str) -> int:
    if not isinstance(amount, Decimal):
        raise TypeError("Money must be a Decimal, not a float.")
    quantized = quantize(amount, currency)
    if quantized != amount:
        raise ValueError(f"{amount} has more precision than {currency.upper()} allows.")
    return int(quantized.scaleb(currency_exponent(currency)))


def from_minor_units(units: int, currency: str) -> Decimal:
    return (
        Decimal(int(units))
        .scaleb(-currency_exponent(currency))
        .quantize(Decimal(1).scaleb(-currency_exponent(currency)))
    )


def format_money(amount: Decimal, currency: str) -> str:
    return f"{currency.upper()} {quantize(amount, currency):,.{currency_exponent(currency)}f}"
