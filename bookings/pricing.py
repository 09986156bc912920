"""The pricing engine for 1:1 sessions (seed 004 §4.1). Pure: no database, no clock.

    quote = price_session(PriceRequest(...))

How a price is built, minute by minute in the coach's time zone:

1. **Base**: the coach's hourly rate × duration. **Session type**: × the type's price factor.
2. **Automatic rules** per minute: a special period replaces the hourly rate on its dates, a
   time-based rate adds its percentage in its wall-clock window (when several match, the one
   cheapest for the client wins). Minutes priced above standard are **surcharges**; minutes
   priced below are **automatic discounts**.
3. **Best price wins, no stacking**: surcharges always apply (they are the price of that time);
   then either the automatic discounts *or* the discount code apply, whichever gives the
   client the lower price (a tie keeps the automatic discounts and leaves the code unused).
4. **VAT** is inside the subtotal (included) or added on top, per the coach's setting.
   **Platform fee** is a percentage of the net (the total less VAT); the coach gets the rest.

Every line is rounded half-up to the currency's minor unit before it is added, so the lines
sum exactly to the subtotal, net + VAT to the total and fee + coach share to the net.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from payments.money import quantize
from payments.pricing import price_breakdown

PRICING_VERSION = "1"
HUNDRED = Decimal(100)
SIXTY = Decimal(60)


@dataclass(frozen=True)
class RateWindow:
    """+/- percent on weekdays between two wall-clock times (end 00:00 = midnight)."""

    name: str
    weekdays: frozenset[int]
    start_time: dt.time
    end_time: dt.time
    percent: Decimal

    def matches(self, local: dt.datetime) -> bool:
        if local.weekday() not in self.weekdays:
            return False
        now = local.time()
        ends_at_midnight = self.end_time == dt.time(0, 0)
        return self.start_time <= now and (ends_at_midnight or now < self.end_time)


@dataclass(frozen=True)
class Period:
    """An inclusive date range with its own hourly rate."""

    name: str
    start_date: dt.date
    end_date: dt.date
    hourly_rate: Decimal

    def matches(self, local: dt.datetime) -> bool:
        return self.start_date <= local.date() <= self.end_date


@dataclass(frozen=True)
class CodeDiscount:
    code: str
    kind: str  # "percent" | "fixed"
    value: Decimal


@dataclass(frozen=True)
class PriceRequest:
    hourly_rate: Decimal
    currency: str
    start: dt.datetime
    end: dt.datetime
    tz: ZoneInfo
    vat_rate: Decimal
    vat_included: bool
    platform_fee_percent: Decimal
    price_factor: Decimal = Decimal(1)
    time_rates: tuple[RateWindow, ...] = ()
    special_periods: tuple[Period, ...] = ()
    code: CodeDiscount | None = None


@dataclass
class Quote:
    currency: str
    total: Decimal
    subtotal: Decimal
    net: Decimal
    vat_amount: Decimal
    vat_rate: Decimal
    vat_included: bool
    platform_fee: Decimal
    platform_fee_percent: Decimal
    coach_share: Decimal
    lines: list[dict] = field(default_factory=list)
    discount: dict | None = None
    code_applied: bool = False
    code_message: str = ""

    @property
    def breakdown(self) -> dict:
        """JSON-ready; frozen as the booking's and the payment's price snapshot."""
        return {
            "version": PRICING_VERSION,
            "currency": self.currency,
            "lines": self.lines,
            "subtotal": str(self.subtotal),
            "vat": {
                "rate": str(self.vat_rate),
                "included": self.vat_included,
                "amount": str(self.vat_amount),
            },
            "net": str(self.net),
            "platform_fee": {
                "percent": str(self.platform_fee_percent),
                "amount": str(self.platform_fee),
            },
            "coach_share": str(self.coach_share),
            "total": str(self.total),
            "code_applied": self.code_applied,
            "code_message": self.code_message,
        }

    def as_json(self) -> dict:
        return {
            "total": str(self.total),
            "currency": self.currency,
            "breakdown": self.breakdown,
            "discount": self.discount,
        }


@dataclass
class _Segment:
    label: str
    minutes: int = 0
    amount: Decimal = Decimal(0)  # unrounded price of these minutes
    standard: Decimal = Decimal(0)  # unrounded price at the standard rate


def _minute_prices(req: PriceRequest) -> dict[str, _Segment]:
    """Group the session's minutes by the automatic rule that prices them."""
    standard_per_minute = req.hourly_rate * req.price_factor / SIXTY
    segments: dict[str, _Segment] = {}
    # Rules can only change where a window starts or ends, at local midnight (periods) or at a
    # DST change (on the hour). When all of those and the session sit on the quarter hour,
    # quarter-hour steps give exactly the per-minute result, 15 times faster.
    step_minutes = _step_minutes(req)
    step = dt.timedelta(minutes=step_minutes)
    instant = req.start
    while instant < req.end:
        local = instant.astimezone(req.tz)
        rate = req.hourly_rate
        labels = []
        periods = [p for p in req.special_periods if p.matches(local)]
        if periods:
            period = min(periods, key=lambda p: p.hourly_rate)
            rate = period.hourly_rate
            labels.append(period.name)
        windows = [w for w in req.time_rates if w.matches(local)]
        percent = Decimal(0)
        if windows:
            window = min(windows, key=lambda w: w.percent)
            percent = window.percent
            labels.append(f"{window.name} ({window.percent:+g}%)")
        price = rate * req.price_factor / SIXTY * (1 + percent / HUNDRED)
        segment = segments.setdefault(" + ".join(labels), _Segment(label=" + ".join(labels)))
        segment.minutes += step_minutes
        segment.amount += price * step_minutes
        segment.standard += standard_per_minute * step_minutes
        instant += step
    return segments


def _step_minutes(req: PriceRequest) -> int:
    times = [req.start, req.end]
    on_quarter = all(
        t.minute % 15 == 0 and not t.second and not t.microsecond for t in times
    ) and all(
        t.minute % 15 == 0 and not t.second
        for w in req.time_rates
        for t in (w.start_time, w.end_time)
    )
    return 15 if on_quarter else 1


def _line(kind: str, label: str, amount: Decimal) -> dict:
    return {"kind": kind, "label": label, "amount": str(amount)}


def price_session(req: PriceRequest) -> Quote:
    if req.end <= req.start:
        raise ValueError("A session must end after it starts.")
    currency = req.currency.upper()
    minutes = int((req.end - req.start).total_seconds() // 60)
    hours = Decimal(minutes) / SIXTY

    base = quantize(req.hourly_rate * hours, currency)
    lines = [_line("base", f"{currency} {req.hourly_rate}/h × {minutes} min", base)]
    type_adjustment = quantize(req.hourly_rate * hours * req.price_factor, currency) - base
    if type_adjustment:
        lines.append(
            _line(
                "session_type", f"Session type × {req.price_factor.normalize():f}", type_adjustment
            )
        )

    surcharges, reductions = [], []
    for segment in _minute_prices(req).values():
        if not segment.label:
            continue
        delta = quantize(segment.amount - segment.standard, currency)
        if delta > 0:
            surcharges.append(_line("surcharge", f"{segment.label}, {segment.minutes} min", delta))
        elif delta < 0:
            reductions.append(
                _line("automatic_discount", f"{segment.label}, {segment.minutes} min", delta)
            )
    lines.extend(surcharges)

    list_price = sum((Decimal(line["amount"]) for line in lines), Decimal(0))
    automatic_reduction = sum((Decimal(line["amount"]) for line in reductions), Decimal(0))
    automatic_reduction = max(automatic_reduction, -list_price)  # never below zero
    code_reduction = -_code_amount(req.code, list_price, currency) if req.code else Decimal(0)

    discount = None
    code_applied = False
    code_message = ""
    if req.code and code_reduction < automatic_reduction:
        code_applied = True
        label = _code_label(req.code, currency)
        lines.append(_line("discount_code", label, code_reduction))
        discount = {
            "kind": "code",
            "code": req.code.code,
            "label": label,
            "amount": str(code_reduction),
        }
        code_message = f"Code {req.code.code} applied."
    else:
        if reductions:
            if automatic_reduction != sum((Decimal(r["amount"]) for r in reductions), Decimal(0)):
                reductions = [
                    _line("automatic_discount", "Automatic discounts (capped)", automatic_reduction)
                ]
            lines.extend(reductions)
            discount = {
                "kind": "automatic",
                "label": ", ".join(r["label"] for r in reductions),
                "amount": str(automatic_reduction),
            }
        if req.code:
            code_message = (
                f"Code {req.code.code} was not applied: the automatic discount is already better."
                if reductions
                else f"Code {req.code.code} gives no reduction on this price."
            )

    subtotal = sum((Decimal(line["amount"]) for line in lines), Decimal(0))
    return _with_tax_and_fee(req, currency, subtotal, lines, discount, code_applied, code_message)


def _code_amount(code: CodeDiscount, list_price: Decimal, currency: str) -> Decimal:
    if code.kind == "percent":
        return min(quantize(list_price * code.value / HUNDRED, currency), list_price)
    return min(quantize(code.value, currency), list_price)


def _code_label(code: CodeDiscount, currency: str) -> str:
    if code.kind == "percent":
        return f"Code {code.code} (−{code.value.normalize():f}%)"
    return f"Code {code.code} (−{currency} {quantize(code.value, currency)})"


def _with_tax_and_fee(
    req, currency, subtotal, lines, discount, code_applied, code_message
) -> Quote:
    # The VAT / platform-fee split is the payments core's, so a session and a webinar at the
    # same price break down to the same cents.
    parts = price_breakdown(
        amount=subtotal,
        currency=currency,
        vat_rate=req.vat_rate,
        platform_fee_percent=req.platform_fee_percent,
        vat_included=req.vat_included,
    )
    return Quote(
        currency=currency,
        total=parts.total,
        subtotal=subtotal,
        net=parts.net,
        vat_amount=parts.vat_amount,
        vat_rate=req.vat_rate,
        vat_included=req.vat_included,
        platform_fee=parts.platform_fee,
        platform_fee_percent=req.platform_fee_percent,
        coach_share=parts.coach_share,
        lines=lines,
        discount=discount,
        code_applied=code_applied,
        code_message=code_message,
    )
