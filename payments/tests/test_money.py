from decimal import Decimal

import pytest

from payments.money import format_money, from_minor_units, to_minor_units
from payments.pricing import price_breakdown


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        (Decimal("120.00"), "CHF", 12000),
        (Decimal("0.05"), "chf", 5),
        (Decimal("99.99"), "EUR", 9999),
        (Decimal("1500"), "JPY", 1500),
    ],
)
def test_to_minor_units_uses_the_currency_exponent(amount, currency, minor):
    assert to_minor_units(amount, currency) == minor


@pytest.mark.parametrize(
    ("minor", "currency", "amount"),
    [
        (12000, "CHF", Decimal("120.00")),
        (9999, "EUR", Decimal("99.99")),
        (1500, "JPY", Decimal("1500")),
    ],
)
def test_from_minor_units_round_trips(minor, currency, amount):
    assert from_minor_units(minor, currency) == amount
    assert to_minor_units(from_minor_units(minor, currency), currency) == minor


def test_to_minor_units_refuses_more_precision_than_the_currency_has():
    with pytest.raises(ValueError):
        to_minor_units(Decimal("12.5"), "JPY")
    with pytest.raises(ValueError):
        to_minor_units(Decimal("1.005"), "CHF")


def test_to_minor_units_refuses_floats():
    with pytest.raises(TypeError):
        to_minor_units(1.1, "CHF")


def test_format_money_shows_no_decimals_for_yen():
    assert format_money(Decimal("1500"), "JPY") == "JPY 1,500"
    assert format_money(Decimal("120"), "CHF") == "CHF 120.00"


@pytest.mark.parametrize(
    ("amount", "currency", "vat_rate", "fee"),
    [
        (Decimal("120.00"), "CHF", Decimal("8.1"), Decimal("15")),
        (Decimal("99.95"), "CHF", Decimal("8.1"), Decimal("15")),
        (Decimal("0.01"), "EUR", Decimal("19"), Decimal("15")),
        (Decimal("33.33"), "EUR", Decimal("7.7"), Decimal("12.5")),
        (Decimal("1999"), "JPY", Decimal("10"), Decimal("15")),
        (Decimal("7"), "JPY", Decimal("8.1"), Decimal("33.3")),
    ],
)
def test_vat_included_breakdown_sums_exactly_in_minor_units(amount, currency, vat_rate, fee):
    b = price_breakdown(
        amount=amount, currency=currency, vat_rate=vat_rate, platform_fee_percent=fee
    )
    minor = lambda value: to_minor_units(value, currency)  # noqa: E731
    assert b.total == amount
    assert minor(b.net) + minor(b.vat_amount) == minor(b.total)
    assert minor(b.platform_fee) + minor(b.coach_share) == minor(b.net)
    assert minor(b.vat_amount) + minor(b.platform_fee) + minor(b.coach_share) == minor(amount)


def test_breakdown_of_chf_120_at_swiss_vat():
    b = price_breakdown(
        amount=Decimal("120.00"),
        currency="CHF",
        vat_rate=Decimal("8.1"),
        platform_fee_percent=Decimal("15"),
        reason="early_bird",
    )
    assert b.vat_amount == Decimal("8.99")  # 120 * 8.1 / 108.1 = 8.9916...
    assert b.net == Decimal("111.01")
    assert b.platform_fee == Decimal("16.65")  # 111.01 * 15% = 16.6515
    assert b.coach_share == Decimal("94.36")
    assert b.as_snapshot()["reason"] == "early_bird"


def test_vat_added_on_top_breakdown():
    b = price_breakdown(
        amount=Decimal("100.00"),
        currency="CHF",
        vat_rate=Decimal("8.1"),
        platform_fee_percent=Decimal("15"),
        vat_included=False,
    )
    assert (b.net, b.vat_amount, b.total) == (Decimal("100.00"), Decimal("8.10"), Decimal("108.10"))
