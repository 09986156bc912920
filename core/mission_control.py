"""Mission Control (/coach/dashboard/, issue 16): the coach's overview, composed here above
both domains (webinars and bookings do not import each other).

Widgets live in a registry: `register_widget(key, title, template, build)`; `build(coach,
now)` returns the widget's context with a fixed number of queries (the page's query count
does not grow with the coach's history). The coach orders and hides widgets; the layout is
saved per coach (core.models.DashboardLayout).

Plug-in point for refund requests (built in parallel): register a widget under the reserved
key `REFUND_REQUESTS` ("refund_requests") from that app's AppConfig.ready(); its slot in the
default order is already here and it appears as soon as it is registered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from core.models import DashboardLayout

REFUND_REQUESTS = "refund_requests"


@dataclass(frozen=True)
class Widget:
    key: str
    title: str
    template: str
    build: Callable[..., dict]


WIDGETS: dict[str, Widget] = {}
DEFAULT_ORDER = ["earnings", "chart", "upcoming", "requests", REFUND_REQUESTS, "payouts"]


def register_widget(key: str, title: str, template: str, build: Callable[..., dict]) -> None:
    WIDGETS[key] = Widget(key, title, template, build)
    if key not in DEFAULT_ORDER:
        DEFAULT_ORDER.append(key)


@dataclass
class PlacedWidget:
    widget: Widget
    hidden: bool
    first: bool = False
    last: bool = False


def layout_for(coach) -> list[PlacedWidget]:
    saved = DashboardLayout.objects.filter(coach=coach).first()
    order = list(saved.order) if saved else []
    hidden = set(saved.hidden) if saved else set()
    keys = [k for k in order if k in WIDGETS] + [
        k for k in DEFAULT_ORDER if k in WIDGETS and k not in order
    ]
    placed = [PlacedWidget(WIDGETS[k], k in hidden) for k in keys]
    if placed:
        placed[0].first, placed[-1].last = True, True
    return placed


@transaction.atomic
def dashboard_layout_change(*, coach, key: str, action: str) -> DashboardLayout:
    """Move a widget up or down, hide or show it. Unknown keys or actions change nothing."""
    layout, _ = DashboardLayout.objects.select_for_update().get_or_create(coach=coach)
    keys = [p.widget.key for p in layout_for(coach)]
    hidden = [k for k in layout.hidden if k in WIDGETS]
    if key in keys:
        index = keys.index(key)
        if action == "up" and index > 0:
            keys[index - 1], keys[index] = keys[index], keys[index - 1]
        elif action == "down" and index < len(keys) - 1:
            keys[index + 1], keys[index] = keys[index], keys[index + 1]
        elif action == "hide" and key not in hidden:
            hidden.append(key)
        elif action == "show" and key in hidden:
            hidden.remove(key)
    layout.order, layout.hidden = keys, hidden
    layout.save(update_fields=["order", "hidden", "updated_at"])
    return layout


# --- earnings ---------------------------------------------------------------------------


@dataclass
class Money:
    gross: Decimal = Decimal(0)
    refunds: Decimal = Decimal(0)
    fees: Decimal = Decimal(0)  # platform fee and VAT on what was kept
    net: Decimal = Decimal(0)  # the coach's share of what was kept

    def add(self, total, refunded, coach_share, currency: str) -> None:
        from payments.money import quantize

        self.gross += total
        self.refunds += refunded
        if total:
            kept = total - min(refunded, total)
            net = quantize(coach_share * kept / total, currency)
            self.net += net
            self.fees += kept - net


@dataclass
class Month:
    start: dt.date
    sessions: Money
    webinars: Money

    @property
    def net(self) -> Decimal:
        return self.sessions.net + self.webinars.net

    @property
    def label(self) -> str:
        return self.start.strftime("%b %Y")


def _month_starts(today: dt.date, count: int) -> list[dt.date]:
    months, year, month = [], today.year, today.month
    for _ in range(count):
        months.append(dt.date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(months))


def earnings_by_month(coach, *, now: dt.datetime, months: int = 12) -> list[Month]:
    """Money received (payment completed) per month in the coach's zone, sessions and
    webinars apart: one query, whatever the coach's history."""
    from bookings import scheduling
    from payments.finalize import PAID
    from payments.models import Payment

    tz = coach.user.tzinfo
    starts = _month_starts(now.astimezone(tz).date(), months)
    since = scheduling.local_datetime(starts[0], dt.time(0), tz)
    rows = Payment.objects.filter(
        coach=coach, status__in=PAID, completed_at__gte=since
    ).values_list(
        "purpose", "completed_at", "amount_total", "amount_refunded", "coach_share", "currency"
    )
    by_month = {start: Month(start, Money(), Money()) for start in starts}
    for purpose, completed_at, total, refunded, share, currency in rows:
        if completed_at is None:  # excluded by completed_at__gte; the column is nullable
            continue
        local = completed_at.astimezone(tz).date().replace(day=1)
        month = by_month.get(local)
        if month is None:
            continue
        is_webinar = purpose == Payment.Purpose.WEBINAR_REGISTRATION
        bucket = month.webinars if is_webinar else month.sessions
        bucket.add(total, refunded, share, currency)
    return [by_month[s] for s in starts]


CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 600, 220, 30


def chart_bars(months: list[Month]) -> list[dict]:
    """Stacked bars (sessions below, webinars above) in SVG units, drawn by the template."""
    top = max((m.net for m in months), default=Decimal(0)) or Decimal(1)
    slot = (CHART_WIDTH - CHART_PAD) / max(len(months), 1)
    usable = CHART_HEIGHT - CHART_PAD
    bars = []
    for index, month in enumerate(months):
        sessions_h = float(max(month.sessions.net, Decimal(0)) / top) * usable
        webinars_h = float(max(month.webinars.net, Decimal(0)) / top) * usable
        x = CHART_PAD + index * slot + slot * 0.15
        bars.append(
            {
                "month": month,
                "x": round(x, 1),
                "width": round(slot * 0.7, 1),
                "label_x": round(x + slot * 0.35, 1),
                "sessions_y": round(usable - sessions_h, 1),
                "sessions_h": round(sessions_h, 1),
                "webinars_y": round(usable - sessions_h - webinars_h, 1),
                "webinars_h": round(webinars_h, 1),
            }
        )
    return bars


# --- the built-in widgets ---------------------------------------------------------------


def _earnings(coach, now):
    months = earnings_by_month(coach, now=now, months=12)
    return {"month": months[-1], "months": months, "currency": coach.currency}


def _chart(coach, now):
    months = earnings_by_month(coach, now=now, months=12)
    return {
        "months": months,
        "bars": chart_bars(months),
        "currency": coach.currency,
        "chart": {"width": CHART_WIDTH, "height": CHART_HEIGHT, "base": CHART_HEIGHT - CHART_PAD},
        "best": max(months, key=lambda m: m.net),
    }


def _upcoming(coach, now):
    from bookings.models import Booking
    from webinars.selectors import coach_webinars

    sessions = list(
        Booking.objects.filter(coach=coach, status=Booking.Status.CONFIRMED, start__gte=now)
        .select_related("client", "session_type")
        .order_by("start")[:5]
    )
    webinars = list(
        coach_webinars(coach=coach, now=now)
        .filter(starts_at__gte=now, status__in=("scheduled", "pending_minimum_attendees"))
        .order_by("starts_at", "pk")[:5]
    )
    return {"sessions": sessions, "webinars": webinars}


def _requests(coach, now):
    from bookings.selectors import open_request_count, requests_inbox

    return {
        "open_requests": list(requests_inbox(coach)[:5]),
        "open_requests_count": open_request_count(coach),
    }


def _payouts(coach, now):
    from payments.payouts.selectors import payout_summary

    return payout_summary(coach=coach)


def _refund_requests(coach, now):
    from payments.refunds.selectors import coach_refund_requests

    return {**coach_refund_requests(coach=coach, waiting_limit=5, others_limit=0), "now": now}


register_widget("earnings", "Earnings this month", "core/widgets/earnings.html", _earnings)
register_widget("chart", "Net earnings, last 12 months", "core/widgets/chart.html", _chart)
register_widget("upcoming", "Upcoming", "core/widgets/upcoming.html", _upcoming)
register_widget("requests", "Open requests", "core/widgets/requests.html", _requests)
register_widget("payouts", "Payouts", "core/widgets/payouts.html", _payouts)
register_widget(
    REFUND_REQUESTS,
    "Refund requests",
    "core/widgets/refund_requests.html",
    _refund_requests,
)


def mission_control(coach, *, now: dt.datetime) -> list[dict]:
    """The visible widgets with their context, in the coach's order; hidden ones listed
    (so they can be shown again) without being computed."""
    shown = []
    for placed in layout_for(coach):
        context = {} if placed.hidden else placed.widget.build(coach, now)
        shown.append({"placed": placed, "widget": placed.widget, "context": context})
    return shown
