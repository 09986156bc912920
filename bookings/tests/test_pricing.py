"""Table tests of the pricing engine (seed 004 §4.1): rates × periods × codes × VAT modes.
Every case also checks that the breakdown sums exactly in minor units."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bookings.pricing import CodeDiscount, Period, PriceRequest, RateWindow, price_session
from payments.money import to_minor_units

ZURICH = ZoneInfo("Europe/Zurich")
MONDAY = dt.date(2031, 3, 3)  # a Monday, winter time (UTC+1)
D = Decimal

EVENING = RateWindow("Evening", frozenset({0}), dt.time(18), dt.time(0), D("20"))
EARLY = RateWindow("Early bird hours", frozenset({0}), dt.time(6), dt.time(9), D("-30"))
HOLIDAY = Period("Holiday rate", MONDAY, MONDAY, D("200.00"))
QUIET_WEEK = Period("Quiet week", MONDAY, MONDAY + dt.timedelta(days=6), D("100.00"))
TEN = CodeDiscount("WELCOME10", "percent", D("10"))
THIRTY = CodeDiscount("THIRTY", "percent", D("30"))
HALF = CodeDiscount("HALF", "percent", D("50"))
TWENTY_OFF = CodeDiscount("TWENTY", "fixed", D("20"))
HUGE_OFF = CodeDiscount("HUGE", "fixed", D("500"))


def local(hour, minute=0, day=MONDAY):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZURICH)


def request(
    start,
    minutes,
    *,
    rate="150.00",
    currency="CHF",
    vat_included=True,
    factor="1",
    windows=(),
    periods=(),
    code=None,
    vat="8.1",
    fee="15",
):
    return PriceRequest(
        hourly_rate=D(rate),
        currency=currency,
        start=start,
        end=start + dt.timedelta(minutes=minutes),
        tz=ZURICH,
        vat_rate=D(vat),
        vat_included=vat_included,
        platform_fee_percent=D(fee),
        price_factor=D(factor),
        time_rates=tuple(windows),
        special_periods=tuple(periods),
        code=code,
    )


# (case, request, total, vat, platform fee, discount kind or None, code applied)
CASES = [
    ("base 60 min, VAT included", request(local(10), 60), "150.00", "11.24", "20.81", None, False),
    (
        "base 60 min, VAT added",
        request(local(10), 60, vat_included=False),
        "162.15",
        "12.15",
        "22.50",
        None,
        False,
    ),
    ("45 min", request(local(10), 45), "112.50", "8.43", "15.61", None, False),
    (
        "rounding of an odd rate",
        request(local(10), 45, rate="99.99"),
        "74.99",
        "5.62",
        "10.41",
        None,
        False,
    ),
    (
        "session type factor 1.5",
        request(local(10), 60, factor="1.5"),
        "225.00",
        "16.86",
        "31.22",
        None,
        False,
    ),
    (
        "evening +20% on half the session",
        request(local(17, 30), 60, windows=[EVENING]),
        "165.00",
        "12.36",
        "22.90",
        None,
        False,
    ),
    (
        "evening +20% whole session, VAT added",
        request(local(19), 60, windows=[EVENING], vat_included=False),
        "194.58",
        "14.58",
        "27.00",
        None,
        False,
    ),
    (
        "evening window ends at midnight",
        request(local(23), 90, windows=[EVENING]),
        "255.00",
        "19.11",
        "35.38",
        None,
        False,
    ),
    (
        "special period with its own higher rate",
        request(local(10), 60, periods=[HOLIDAY]),
        "200.00",
        "14.99",
        "27.75",
        None,
        False,
    ),
    (
        "special period and evening together",
        request(local(18), 60, periods=[HOLIDAY], windows=[EVENING]),
        "240.00",
        "17.98",
        "33.30",
        None,
        False,
    ),
    (
        "special period lower rate is an automatic discount",
        request(local(10), 60, periods=[QUIET_WEEK]),
        "100.00",
        "7.49",
        "13.88",
        "automatic",
        False,
    ),
    ("code 10%", request(local(10), 60, code=TEN), "135.00", "10.12", "18.73", "code", True),
    (
        "code 10%, VAT added",
        request(local(10), 60, code=TEN, vat_included=False),
        "145.94",
        "10.94",
        "20.25",
        "code",
        True,
    ),
    (
        "code applies to the surcharged price",
        request(local(19), 60, windows=[EVENING], code=TEN),
        "162.00",
        "12.14",
        "22.48",
        "code",
        True,
    ),
    (
        "automatic -30% beats code 10%",
        request(local(8), 60, windows=[EARLY], code=TEN),
        "105.00",
        "7.87",
        "14.57",
        "automatic",
        False,
    ),
    (
        "code 50% beats automatic -30%",
        request(local(8), 60, windows=[EARLY], code=HALF),
        "75.00",
        "5.62",
        "10.41",
        "code",
        True,
    ),
    (
        "tie keeps the automatic discount",
        request(local(8), 60, windows=[EARLY], code=THIRTY),
        "105.00",
        "7.87",
        "14.57",
        "automatic",
        False,
    ),
    (
        "lower special rate beats code 10%",
        request(local(10), 60, periods=[QUIET_WEEK], code=TEN),
        "100.00",
        "7.49",
        "13.88",
        "automatic",
        False,
    ),
    (
        "fixed code CHF 20",
        request(local(10), 60, code=TWENTY_OFF),
        "130.00",
        "9.74",
        "18.04",
        "code",
        True,
    ),
    (
        "fixed code larger than the price gives zero",
        request(local(10), 60, code=HUGE_OFF),
        "0.00",
        "0.00",
        "0.00",
        "code",
        True,
    ),
    (
        "JPY has no minor unit",
        request(local(10), 45, rate="10000", currency="JPY"),
        "7500",
        "562",
        "1041",
        None,
        False,
    ),
    (
        "no VAT, no fee",
        request(local(10), 60, vat="0", fee="0"),
        "150.00",
        "0.00",
        "0.00",
        None,
        False,
    ),
]


@pytest.mark.parametrize(
    "req,total,vat,fee,discount_kind,code_applied",
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_price_table(req, total, vat, fee, discount_kind, code_applied):
    quote = price_session(req)
    assert quote.total == D(total)
    assert quote.vat_amount == D(vat)
    assert quote.platform_fee == D(fee)
    assert (quote.discount or {}).get("kind") == discount_kind
    assert quote.code_applied is code_applied
    _assert_sums_exactly(quote)


def _assert_sums_exactly(quote):
    currency = quote.currency
    lines = [D(line["amount"]) for line in quote.lines]
    for amount in [
        *lines,
        quote.total,
        quote.net,
        quote.vat_amount,
        quote.platform_fee,
        quote.coach_share,
    ]:
        to_minor_units(amount, currency)  # raises if an amount has more precision than allowed
    assert sum(lines) == quote.subtotal
    assert quote.net + quote.vat_amount == quote.total
    assert quote.platform_fee + quote.coach_share == quote.net
    breakdown = quote.breakdown
    assert D(breakdown["total"]) == quote.total and breakdown["currency"] == currency


def test_breakdown_lists_each_surcharge_with_its_minutes():
    quote = price_session(request(local(17, 30), 60, windows=[EVENING]))
    assert [(line["kind"], line["amount"]) for line in quote.lines] == [
        ("base", "150.00"),
        ("surcharge", "15.00"),
    ]
    assert "Evening (+20%)" in quote.lines[1]["label"] and "30 min" in quote.lines[1]["label"]


def test_code_not_applied_says_why():
    quote = price_session(request(local(8), 60, windows=[EARLY], code=TEN))
    assert "not applied" in quote.code_message
    assert not any(line["kind"] == "discount_code" for line in quote.lines)


def test_codes_never_stack_with_automatic_discounts():
    quote = price_session(request(local(8), 60, windows=[EARLY], code=HALF))
    kinds = [line["kind"] for line in quote.lines]
    assert "discount_code" in kinds and "automatic_discount" not in kinds


def test_when_two_windows_overlap_the_cheaper_one_prices_the_minute():
    cheaper = RateWindow("Happy hour", frozenset({0}), dt.time(18), dt.time(19), D("-10"))
    quote = price_session(request(local(18), 60, windows=[EVENING, cheaper]))
    assert quote.total == D("135.00")


def test_evening_rate_follows_the_coachs_wall_clock_across_dst():
    # 29 March 2031: clocks go forward in Zurich. 18:00 local is 16:00 UTC after the change.
    after_change = dt.date(2031, 3, 31)  # Monday
    start = dt.datetime(2031, 3, 31, 16, 0, tzinfo=dt.UTC)  # 18:00 CEST
    quote = price_session(request(start.astimezone(ZURICH), 60, windows=[EVENING]))
    assert after_change.weekday() == 0
    assert quote.total == D("180.00")


def test_a_session_must_end_after_it_starts():
    with pytest.raises(ValueError):
        price_session(request(local(10), 0))


def test_a_window_off_the_quarter_hour_is_priced_to_the_minute():
    odd = RateWindow("Late", frozenset({0}), dt.time(18, 10), dt.time(0), D("20"))
    quote = price_session(request(local(18), 60, windows=[odd]))
    assert quote.total == D("175.00")  # 50 of the 60 minutes at +20%
