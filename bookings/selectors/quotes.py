"""Prices: pricing rules, discount codes, quotes."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from accounts.models import Coach
from bookings import pricing
from bookings.errors import InvalidDiscountCode
from bookings.models import (
    Booking,
    DiscountCode,
    SessionType,
    SpecialPeriod,
    TimeBasedRate,
)

# --- prices ---------------------------------------------------------------------------------


def pricing_rules(coach: Coach, session_type: SessionType) -> tuple[tuple, tuple]:
    type_filter = Q(session_type__isnull=True) | Q(session_type=session_type)
    windows = tuple(
        pricing.RateWindow(r.name, frozenset(r.weekdays), r.start_time, r.end_time, r.percent)
        for r in TimeBasedRate.objects.filter(type_filter, coach=coach, is_active=True)
    )
    periods = tuple(
        pricing.Period(p.name, p.start_date, p.end_date, p.hourly_rate)
        for p in SpecialPeriod.objects.filter(type_filter, coach=coach, is_active=True)
    )
    return windows, periods


def discount_code_lookup(
    *, coach: Coach, code: str, session_type: SessionType, client, now: dt.datetime
) -> DiscountCode:
    """The usable code or InvalidDiscountCode with the reason. Usage counts are exact only
    under the coach lock (booking_create holds it); a quote may be one use out of date."""
    normalized = (code or "").strip().upper()
    found = (
        DiscountCode.objects.filter(coach=coach, code=normalized, is_active=True)
        .prefetch_related("session_types")
        .first()
    )
    if found is None:
        raise InvalidDiscountCode(
            f"The code “{normalized}” does not exist for this coach.", field="code"
        )
    if found.valid_from and now < found.valid_from:
        raise InvalidDiscountCode(f"The code {normalized} is not valid yet.", field="code")
    if found.valid_until and now > found.valid_until:
        raise InvalidDiscountCode(f"The code {normalized} has expired.", field="code")
    allowed_types = list(found.session_types.all())
    if allowed_types and session_type not in allowed_types:
        raise InvalidDiscountCode(
            f"The code {normalized} is not valid for {session_type.name}.", field="code"
        )
    uses = Booking.objects.filter(discount_code=found, status__in=Booking.CODE_USING_STATUSES)
    if found.max_uses is not None and uses.count() >= found.max_uses:
        raise InvalidDiscountCode(f"The code {normalized} has been used up.", field="code")
    if (
        found.max_uses_per_client is not None
        and client is not None
        and client.is_authenticated
        and uses.filter(client=client).count() >= found.max_uses_per_client
    ):
        raise InvalidDiscountCode(f"You have already used the code {normalized}.", field="code")
    return found


def quote_session(
    *,
    coach: Coach,
    session_type: SessionType,
    start: dt.datetime,
    end: dt.datetime,
    code: DiscountCode | None = None,
) -> pricing.Quote:
    windows, periods = pricing_rules(coach, session_type)
    return pricing.price_session(
        pricing.PriceRequest(
            hourly_rate=coach.hourly_rate,
            currency=coach.currency,
            start=start,
            end=end,
            tz=coach.user.tzinfo,
            vat_rate=coach.vat_rate,
            vat_included=coach.vat_included,
            platform_fee_percent=coach.effective_platform_fee_percent,
            price_factor=session_type.price_factor,
            time_rates=windows,
            special_periods=periods,
            code=pricing.CodeDiscount(code.code, code.kind, code.value) if code else None,
        )
    )
