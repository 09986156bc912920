"""Reads for 1:1 sessions: who may see and book whom, prices, free start times, calendars.

Query counts stay constant as data grows: each function loads the rows of its window in a
fixed number of queries and works on them in memory.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts import blocks
from accounts.models import Coach, Connection
from bookings import pricing, scheduling
from bookings.errors import InvalidDiscountCode, InvalidTime, NotAllowed, NotFound
from bookings.models import (
    AvailabilitySlot,
    Booking,
    DiscountCode,
    SessionType,
    SpecialPeriod,
    TimeBasedRate,
)
from core.busy_time import BusyBlock, busy_blocks
from payments.money import quantize

# --- who may see and book whom --------------------------------------------------------------


@dataclass(frozen=True)
class CalendarAccess:
    can_view: bool
    can_book: bool
    is_owner: bool = False
    connected: bool = False
    connection_status: str | None = None
    blocked: bool = False
    reason: str = ""


def is_blocked_between(user_a_id: int, user_b_id: int) -> bool:
    return blocks.is_blocked_between(user_a_id, user_b_id)


def calendar_access(viewer, coach: Coach) -> CalendarAccess:
    """Seed 002 canViewCalendar, plus blocks: a blocked pair sees nothing of each other."""
    if viewer.is_authenticated and viewer.pk == coach.user_id:
        return CalendarAccess(
            can_view=True, can_book=False, is_owner=True, reason="This is your own calendar."
        )
    connection = None
    if viewer.is_authenticated:
        if is_blocked_between(viewer.pk, coach.user_id):
            return CalendarAccess(
                can_view=False,
                can_book=False,
                blocked=True,
                reason="This calendar is not available to you.",
            )
        connection = Connection.objects.filter(client=viewer, coach=coach).first()
    connected = connection is not None and connection.status == Connection.Status.ACCEPTED
    status = connection.status if connection else None
    visibility = coach.calendar_visibility
    if visibility == Coach.CalendarVisibility.PUBLIC or (
        visibility == Coach.CalendarVisibility.CONNECTED and connected
    ):
        can_book = viewer.is_authenticated
        reason = "" if can_book else "Log in to book a session."
        return CalendarAccess(
            True, can_book, connected=connected, connection_status=status, reason=reason
        )
    reason = (
        "This coach shares their calendar with connected clients only."
        if visibility == Coach.CalendarVisibility.CONNECTED
        else "This coach's calendar is private."
    )
    return CalendarAccess(
        False, False, connected=connected, connection_status=status, reason=reason
    )


def coach_for_booking(coach_id) -> Coach:
    try:
        return Coach.objects.select_related("user").get(pk=coach_id, user__is_active=True)
    except (Coach.DoesNotExist, ValueError, TypeError):
        raise NotFound("This coach does not exist.") from None


def session_type_for(coach: Coach, session_type_id) -> SessionType:
    try:
        return SessionType.objects.get(
            pk=session_type_id, coach=coach, is_active=True, format=SessionType.Format.ONE_ON_ONE
        )
    except (SessionType.DoesNotExist, ValueError, TypeError):
        raise NotFound("This coach does not offer that session type.") from None


def active_session_types(coach: Coach) -> list[SessionType]:
    return list(
        SessionType.objects.filter(
            coach=coach, is_active=True, format=SessionType.Format.ONE_ON_ONE
        )
    )


def guest_session_types(coach: Coach) -> list[SessionType]:
    """The types a visitor without an account may book: guests allowed and free by their
    rules (a price factor of 0, or a coach without an hourly rate and no special-period
    rate). The booking itself re-checks the quote at the chosen time."""
    types = [t for t in active_session_types(coach) if t.allow_guest_booking]
    if not types:
        return []
    rate_free = (
        coach.hourly_rate == 0
        and not SpecialPeriod.objects.filter(
            coach=coach, is_active=True, hourly_rate__gt=0
        ).exists()
    )
    return [t for t in types if rate_free or t.price_factor == 0]


# --- time rules -----------------------------------------------------------------------------


def validate_time_rules(
    *, session_type: SessionType, start: dt.datetime, duration: int, now: dt.datetime
) -> dt.datetime:
    """Checks that need no other rows, in the order a person fixes them. Returns the end."""
    if timezone.is_naive(start):
        raise InvalidTime("Give the start time with its UTC offset (ISO 8601).", field="start")
    if start <= now:
        raise InvalidTime("This time is in the past. Pick a time in the future.", field="start")
    if not scheduling.on_grid(start):
        raise InvalidTime("Sessions start on the quarter hour (:00, :15, :30, :45).", field="start")
    if duration < session_type.duration_min or duration > session_type.duration_max:
        raise InvalidTime(
            f"{session_type.name} lasts between {session_type.duration_min} and "
            f"{session_type.duration_max} minutes.",
            field="duration",
        )
    if (duration - session_type.duration_min) % session_type.duration_step:
        raise InvalidTime(
            f"Choose a duration in steps of {session_type.duration_step} minutes.", field="duration"
        )
    if start < now + dt.timedelta(hours=session_type.min_notice_hours):
        raise InvalidTime(
            f"Sessions need to be booked at least {session_type.min_notice_hours} hours "
            "in advance.",
            field="start",
        )
    return start + dt.timedelta(minutes=duration)


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


# --- free start times -----------------------------------------------------------------------


@dataclass
class DaySchedule:
    """What one coach has free in a window, loaded in three queries."""

    slots: list[AvailabilitySlot]
    busy: list[scheduling.Busy]
    per_day: Counter = field(default_factory=Counter)
    per_week: Counter = field(default_factory=Counter)


def load_schedule(
    *,
    coach: Coach,
    session_type: SessionType | None,
    window_start: dt.datetime,
    window_end: dt.datetime,
    exclude_booking_id: int | None = None,
) -> DaySchedule:
    margin = dt.timedelta(hours=12)  # buffers of bookings just outside the window, and counts
    slots = AvailabilitySlot.objects.filter(coach=coach, start__lt=window_end, end__gt=window_start)
    if session_type is not None:
        slots = slots.filter(Q(session_type__isnull=True) | Q(session_type=session_type))
    bookings = Booking.objects.filter(
        coach=coach,
        status__in=Booking.BLOCKING_STATUSES,
        start__lt=window_end + margin,
        end__gt=window_start - margin,
    )
    if exclude_booking_id:
        bookings = bookings.exclude(pk=exclude_booking_id)
    busy = [
        scheduling.Busy(
            b.start,
            b.end,
            dt.timedelta(minutes=b.buffer_before_minutes),
            dt.timedelta(minutes=b.buffer_after_minutes),
        )
        for b in bookings.only("start", "end", "buffer_before_minutes", "buffer_after_minutes")
    ]
    # The coach's time in other apps (webinar slots), through the neutral registry.
    busy += [
        scheduling.Busy(block.start, block.end)
        for block in busy_blocks(
            coach_id=coach.pk,
            window_start=window_start - margin,
            window_end=window_end + margin,
            exclude_source=BUSY_SOURCE,
        )
    ]
    schedule = DaySchedule(slots=list(slots.order_by("start")), busy=busy)
    if session_type is not None and (
        session_type.max_sessions_per_day or session_type.max_sessions_per_week
    ):
        tz = coach.user.tzinfo
        week_from = scheduling.week_start(window_start.astimezone(tz).date())
        week_to = scheduling.week_start(window_end.astimezone(tz).date()) + dt.timedelta(days=7)
        counted = Booking.objects.filter(
            coach=coach,
            session_type=session_type,
            status__in=Booking.BLOCKING_STATUSES,
            start__gte=scheduling.day_bounds(week_from, tz)[0],
            start__lt=scheduling.day_bounds(week_to, tz)[0],
        )
        if exclude_booking_id:
            counted = counted.exclude(pk=exclude_booking_id)
        for start in counted.values_list("start", flat=True):
            local_day = start.astimezone(tz).date()
            schedule.per_day[local_day] += 1
            schedule.per_week[scheduling.week_start(local_day)] += 1
    return schedule


BUSY_SOURCE = "bookings"


def session_busy_time(*, coach_id: int, window_start: dt.datetime, window_end: dt.datetime):
    """The coach's 1:1 sessions (and holds/requests) in a window, for core.busy_time: a
    webinar slot cannot be scheduled over them."""
    sessions = Booking.objects.filter(
        coach_id=coach_id,
        status__in=Booking.BLOCKING_STATUSES,
        start__lt=window_end,
        end__gt=window_start,
    ).only("start", "end")
    return [BusyBlock(b.start, b.end, "1:1 session") for b in sessions]


def limit_problem(
    schedule: DaySchedule, session_type: SessionType, start: dt.datetime, tz: ZoneInfo
) -> str:
    local_day = start.astimezone(tz).date()
    if (
        session_type.max_sessions_per_day
        and schedule.per_day[local_day] >= session_type.max_sessions_per_day
    ):
        limit = session_type.max_sessions_per_day
        return f"This coach takes at most {limit} {session_type.name} sessions a day."
    week = scheduling.week_start(local_day)
    if (
        session_type.max_sessions_per_week
        and schedule.per_week[week] >= session_type.max_sessions_per_week
    ):
        limit = session_type.max_sessions_per_week
        return f"This coach takes at most {limit} {session_type.name} sessions a week."
    return ""


def bookable_starts(
    *,
    coach: Coach,
    session_type: SessionType,
    day: dt.date,
    duration: int,
    viewer_tz: ZoneInfo,
    now: dt.datetime,
    exclude_booking_id: int | None = None,
) -> list[dt.datetime]:
    """Every start on `day` (in the viewer's zone) where a session of `duration` minutes fits:
    inside availability, clear of other bookings and their buffers, after the minimum notice,
    under the daily and weekly maximum."""
    day_start, day_end = scheduling.day_bounds(day, viewer_tz)
    length = dt.timedelta(minutes=duration)
    schedule = load_schedule(
        coach=coach,
        session_type=session_type,
        window_start=day_start,
        window_end=day_end + length,
        exclude_booking_id=exclude_booking_id,
    )
    earliest = max(day_start, now + dt.timedelta(hours=session_type.min_notice_hours))
    before = dt.timedelta(minutes=session_type.buffer_before_minutes)
    after = dt.timedelta(minutes=session_type.buffer_after_minutes)
    coach_tz = coach.user.tzinfo
    starts = []
    free = [(s.start, s.end) for s in schedule.slots]
    for start in scheduling.candidate_starts(free, length, earliest):
        if start >= day_end:
            break
        if scheduling.conflicts(
            start, start + length, buffer_before=before, buffer_after=after, busy=schedule.busy
        ):
            continue
        if limit_problem(schedule, session_type, start, coach_tz):
            continue
        starts.append(start)
    return starts


# --- calendar -------------------------------------------------------------------------------


@dataclass
class CalendarEntry:
    kind: str  # "free" | "busy" | "mine" | "booking" (owner's view)
    start: dt.datetime
    end: dt.datetime
    label: str
    booking: Booking | None = None
    instant: bool = False
    slot_id: int | None = None


@dataclass
class CalendarDay:
    date: dt.date
    entries: list[CalendarEntry]
    is_today: bool = False


def calendar_week(
    *, coach: Coach, viewer, week_of: dt.date, now: dt.datetime, tz: ZoneInfo
) -> list[CalendarDay]:
    """Seven days from the Monday of `week_of` in the viewer's zone. Free time is shown from
    now on; other clients' bookings appear only as "Busy"; the coach sees every booking."""
    monday = scheduling.week_start(week_of)
    week_start_utc = scheduling.day_bounds(monday, tz)[0]
    week_end_utc = scheduling.day_bounds(monday + dt.timedelta(days=6), tz)[1]
    is_owner = viewer.is_authenticated and viewer.pk == coach.user_id
    slots = AvailabilitySlot.objects.filter(
        coach=coach, start__lt=week_end_utc, end__gt=max(week_start_utc, now)
    ).order_by("start")
    bookings = (
        Booking.objects.filter(coach=coach, start__lt=week_end_utc, end__gt=week_start_utc)
        .filter(
            Q(status__in=Booking.BLOCKING_STATUSES)
            | Q(
                client_id=viewer.pk if viewer.is_authenticated else None,
                status=Booking.Status.TIME_SUGGESTED,
            )
        )
        .select_related("client", "session_type")
        .order_by("start")
    )
    entries: list[CalendarEntry] = []
    from_now = scheduling.ceil_to_grid(now)
    for slot in slots:
        if slot.end <= from_now:
            continue
        entries.append(
            CalendarEntry(
                "free",
                max(slot.start, from_now),
                slot.end,
                "Available",
                instant=slot.instant_booking,
                slot_id=slot.pk,
            )
        )
    for booking in bookings:
        if is_owner:
            entries.append(
                CalendarEntry(
                    "booking",
                    booking.start,
                    booking.end,
                    f"{booking.title} · {booking.person_name}",
                    booking,
                )
            )
        elif viewer.is_authenticated and booking.client_id == viewer.pk:
            entries.append(
                CalendarEntry(
                    "mine",
                    booking.start,
                    booking.end,
                    f"{booking.title} ({booking.get_status_display()})",
                    booking,
                )
            )
        else:
            entries.append(CalendarEntry("busy", booking.start, booking.end, "Busy"))
    days = []
    today = now.astimezone(tz).date()
    for offset in range(7):
        day = monday + dt.timedelta(days=offset)
        day_start, day_end = scheduling.day_bounds(day, tz)
        day_entries = [
            CalendarEntry(
                e.kind,
                max(e.start, day_start),
                min(e.end, day_end),
                e.label,
                e.booking,
                e.instant,
                e.slot_id,
            )
            for e in entries
            if e.start < day_end
            and e.end > day_start
            and min(e.end, day_end) > max(e.start, day_start)
        ]
        day_entries.sort(key=lambda e: (e.start, e.kind))
        days.append(CalendarDay(day, day_entries, is_today=day == today))
    return days


def next_free_time(*, coach: Coach, after: dt.datetime) -> dt.datetime | None:
    """Start of the coach's first free time at or after `after` (one query), so an empty
    week can point the viewer at the next week that has something."""
    slot = (
        AvailabilitySlot.objects.filter(coach=coach, end__gt=after)
        .order_by("start")
        .only("start")
        .first()
    )
    return None if slot is None else max(slot.start, after)


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
    """Everything else (over, cancelled, declined...), newest first: paginate it."""
    return (
        session_bookings_for_client(user)
        .exclude(_upcoming_session_q(now))
        .order_by("-start", "-pk")
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
        "status_url": f"/bookings/{booking.pk}/status/",
        "cancel_url": f"/bookings/{booking.pk}/payment/cancel/",
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


def require_not_blocked(client, coach: Coach) -> None:
    if blocks.is_blocked_between(client, coach.user_id):
        raise NotAllowed(blocks.BLOCKED_MESSAGE, code="blocked")
