"""Lists for people: clients' sessions, the coach's inbox and dashboard."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.urls import reverse

from accounts.models import Coach
from bookings import scheduling
from bookings.models import (
    Booking,
)
from core.pagination import KeysetPage, keyset_page
from payments.money import quantize

# --- lists for people -----------------------------------------------------------------------


def session_bookings_for_client(user) -> QuerySet[Booking]:
    return (
        Booking.objects.filter(client=user)
        .exclude(status=Booking.Status.EXPIRED)
        .select_related("coach__user", "session_type", "payment")
        .prefetch_related("suggested_times")
        .order_by("start")
    )


def _upcoming_session_q(now: dt.datetime) -> Q:
    return Q(end__gt=now, status__in=Booking.OPEN_STATUSES)


def my_upcoming_sessions(*, user, now: dt.datetime) -> list[Booking]:
    """Open 1:1 sessions (awaiting payment, requested, suggestion, confirmed) not over yet,
    soonest first: in full (2 queries)."""
    return list(session_bookings_for_client(user).filter(_upcoming_session_q(now)))


def my_past_sessions(*, user, now: dt.datetime) -> QuerySet[Booking]:
    """Everything else (over, cancelled, declined...), newest first: page it with
    `keyset_page(..., key="start", descending=True)` (the index (client, start, id))."""
    return (
        session_bookings_for_client(user)
        .exclude(_upcoming_session_q(now))
        .order_by("-start", "-pk")
    )


def my_past_sessions_page(
    *, user, now: dt.datetime, older: str | None, newer: str | None, size: int
) -> KeysetPage:
    """One window of `my_past_sessions` (`older`/`newer`: cursors of an earlier window)."""
    return keyset_page(
        my_past_sessions(user=user, now=now),
        key="start",
        after=older,
        before=newer,
        size=size,
        descending=True,
    )


def booking_for_status_panel(booking_id: int) -> Booking | None:
    """One booking with what its status panel shows (coach, session type, payment, code)."""
    return (
        Booking.objects.select_related(
            "client", "coach__user", "session_type", "payment", "discount_code"
        )
        .filter(pk=booking_id)
        .first()
    )


def status_panel_context(booking: Booking) -> dict:
    """The context of `bookings/status.html#panel` (the page, its poll and the live push)."""
    return {
        "booking": booking,
        "payment": booking.payment,
        "status_url": reverse("bookings:status", kwargs={"booking_id": booking.pk}),
        "cancel_url": reverse("bookings:payment_cancel", kwargs={"booking_id": booking.pk}),
    }


OPEN_REQUEST_STATUSES = (Booking.Status.REQUESTED, Booking.Status.TIME_SUGGESTED)


def open_request_count(coach: Coach) -> int:
    """Requests waiting for the coach or the client (the dashboard's "Open requests")."""
    return Booking.objects.filter(coach=coach, status__in=OPEN_REQUEST_STATUSES).count()


def requests_inbox(coach: Coach) -> QuerySet[Booking]:
    """Requests the coach must answer (already authorized, so accepting charges the client)."""
    return (
        Booking.objects.filter(coach=coach, status__in=OPEN_REQUEST_STATUSES)
        .select_related("client", "session_type")
        .prefetch_related("suggested_times")
        .order_by("start", "pk")
    )


@dataclass
class Dashboard:
    today: list[Booking]
    upcoming: list[Booking]
    open_requests: list[Booking]
    open_requests_count: int
    earnings_month: Decimal
    sessions_month: int
    currency: str
    webinar_earnings_month: Decimal = Decimal(0)  # included in earnings_month
    sessions_earnings_month: Decimal = Decimal(0)


def coach_dashboard(coach: Coach, *, now: dt.datetime) -> Dashboard:
    tz = coach.user.tzinfo
    local_today = now.astimezone(tz).date()
    today_start, today_end = scheduling.day_bounds(local_today, tz)
    month_start = scheduling.local_datetime(local_today.replace(day=1), dt.time(0), tz)
    next_month = (local_today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    month_end = scheduling.local_datetime(next_month, dt.time(0), tz)
    base = Booking.objects.filter(coach=coach).select_related("client", "session_type")
    confirmed = base.filter(status__in=[Booking.Status.CONFIRMED, Booking.Status.COMPLETED])
    today = list(confirmed.filter(start__gte=today_start, start__lt=today_end).order_by("start"))
    upcoming = list(
        confirmed.filter(start__gte=today_end, status=Booking.Status.CONFIRMED).order_by("start")[
            :20
        ]
    )
    from payments.payouts.selectors import coach_webinar_earnings

    earnings, sessions = _month_earnings(coach, month_start, month_end)
    webinar_earnings = coach_webinar_earnings(coach=coach, start=month_start, end=month_end)
    return Dashboard(
        today=today,
        upcoming=upcoming,
        open_requests=list(requests_inbox(coach)[:20]),
        open_requests_count=open_request_count(coach),
        earnings_month=earnings + webinar_earnings,
        sessions_month=sessions,
        currency=coach.currency,
        webinar_earnings_month=webinar_earnings,
        sessions_earnings_month=earnings,
    )


def _month_earnings(
    coach: Coach, month_start: dt.datetime, month_end: dt.datetime
) -> tuple[Decimal, int]:
    """The coach's share (after VAT and the platform fee) of what clients paid for sessions in
    the month, less refunds; and how many sessions took or take place."""
    paid_statuses = [
        Booking.Status.CONFIRMED,
        Booking.Status.COMPLETED,
        Booking.Status.CANCELLED_BY_CLIENT,
        Booking.Status.CANCELLED_BY_COACH,
    ]
    rows = Booking.objects.filter(
        coach=coach, start__gte=month_start, start__lt=month_end, status__in=paid_statuses
    )
    earnings = Decimal(0)
    sessions = 0
    for booking in rows.select_related("payment"):
        if booking.status in (Booking.Status.CONFIRMED, Booking.Status.COMPLETED):
            sessions += 1
        payment = booking.payment
        if payment is None or not payment.amount_total:
            continue
        kept = payment.amount_total - min(booking.refund_amount, payment.amount_total)
        earnings += quantize(payment.coach_share * kept / payment.amount_total, payment.currency)
    return earnings, sessions
