"""Free start times and the week calendar."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Q

from accounts.models import Coach
from bookings import scheduling
from bookings.models import (
    AvailabilitySlot,
    Booking,
    SessionType,
)
from core.busy_time import BusyBlock, busy_blocks

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
