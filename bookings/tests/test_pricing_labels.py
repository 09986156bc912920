"""Breakdown labels are written as people write numbers (issue 8, item 21): a 10% code read
"Code WELCOME10 (−1E+1%)" because Decimal('10').normalize() prints in exponent form."""

from decimal import Decimal as D

import pytest

from bookings.pricing import CodeDiscount, price_session
from bookings.tests.test_pricing import local, request


@pytest.mark.parametrize(
    "value,label",
    [
        (D("10"), "Code WELCOME10 (−10%)"),
        (D("10.00"), "Code WELCOME10 (−10%)"),
        (D("12.50"), "Code WELCOME10 (−12.5%)"),
        (D("100"), "Code WELCOME10 (−100%)"),
    ],
)
def test_percent_code_label_is_a_plain_number(value, label):
    quote = price_session(request(local(10), 60, code=CodeDiscount("WELCOME10", "percent", value)))
    assert [line["label"] for line in quote.lines if line["kind"] == "discount_code"] == [label]


def test_session_type_factor_label_is_a_plain_number():
    quote = price_session(request(local(10), 60, factor="20.000"))
    assert "Session type × 20" in [line["label"] for line in quote.lines]
