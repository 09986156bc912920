"""Time arithmetic for availability and start times. Pure functions, no database.

Intervals are half-open [start, end) pairs of aware datetimes. Weekly patterns are expanded in
the coach's zone, so "09:00" stays 09:00 on the wall clock on both sides of a DST change (the
UTC instant moves instead). Start times sit on the quarter-hour grid; every zone offset in use
today is a multiple of 15 minutes, so the local grid and the UTC grid are the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bookings.models import GRID_MINUTES

Interval = tuple[dt.datetime, dt.datetime]
GRID = dt.timedelta(minutes=GRID_MINUTES)
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def local_datetime(day: dt.date, at: dt.time, tz: ZoneInfo) -> dt.datetime:
    """The UTC instant of a wall-clock time. In a spring-forward gap (02:30 that never
    happens) the time is read with the offset before the change, i.e. moved one hour on."""
    naive = dt.datetime.combine(day, at)
    aware = naive.replace(tzinfo=tz)
    # Round-trip detects a non-existent local time; zoneinfo's fold=0 already maps it forward.
    return aware.astimezone(dt.UTC)


def day_bounds(day: dt.date, tz: ZoneInfo) -> Interval:
    """[local midnight, next local midnight) of `day` in `tz`, as UTC (23 or 25 h on DST days)."""
    return local_datetime(day, dt.time(0), tz), local_datetime(
        day + dt.timedelta(days=1), dt.time(0), tz
    )


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def weekly_occurrences(
    *,
    weekdays: Iterable[int],
    start_time: dt.time,
    end_time: dt.time,
    first_date: dt.date,
    last_date: dt.date,
    tz: ZoneInfo,
) -> list[Interval]:
    """Every occurrence of a weekly wall-clock window between two dates (inclusive)."""
    if end_time <= start_time and end_time != dt.time(0):
        raise ValueError("The end time must be after the start time.")
    days = set(weekdays)
    out = []
    day = first_date
    while day <= last_date:
        if day.weekday() in days:
            start = local_datetime(day, start_time, tz)
            end_day = day + dt.timedelta(days=1) if end_time == dt.time(0) else day
            end = local_datetime(end_day, end_time, tz)
            if end > start:
                out.append((start, end))
        day += dt.timedelta(days=1)
    return out


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sort and coalesce overlapping or touching intervals."""
    out: list[list[dt.datetime]] = []
    for start, end in sorted(intervals):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(s, e) for s, e in out]


def subtract(intervals: Iterable[Interval], cut: Interval) -> list[Interval]:
    cut_start, cut_end = cut
    out = []
    for start, end in intervals:
        if end <= cut_start or start >= cut_end:
            out.append((start, end))
            continue
        if start < cut_start:
            out.append((start, cut_start))
        if end > cut_end:
            out.append((cut_end, end))
    return out


def covers(intervals: Iterable[Interval], start: dt.datetime, end: dt.datetime) -> bool:
    return any(s <= start and end <= e for s, e in merge(intervals))


def on_grid(moment: dt.datetime) -> bool:
    return (moment - _EPOCH) % GRID == dt.timedelta(0)


def ceil_to_grid(moment: dt.datetime) -> dt.datetime:
    remainder = (moment - _EPOCH) % GRID
    return moment if remainder == dt.timedelta(0) else moment + (GRID - remainder)


@dataclass(frozen=True)
class Busy:
    """Another booking's time and the buffers it keeps free around itself."""

    start: dt.datetime
    end: dt.datetime
    buffer_before: dt.timedelta = dt.timedelta(0)
    buffer_after: dt.timedelta = dt.timedelta(0)


def conflicts(
    start: dt.datetime,
    end: dt.datetime,
    *,
    buffer_before: dt.timedelta,
    buffer_after: dt.timedelta,
    busy: Iterable[Busy],
) -> bool:
    """True if [start, end) is too close to a busy block. The gap needed between two sessions
    is the larger of the earlier one's buffer-after and the later one's buffer-before."""
    for block in busy:
        gap_before = max(buffer_before, block.buffer_after)
        gap_after = max(buffer_after, block.buffer_before)
        if start - gap_before < block.end and block.start < end + gap_after:
            return True
    return False


def candidate_starts(
    free: Iterable[Interval], duration: dt.timedelta, earliest: dt.datetime
) -> Iterator[dt.datetime]:
    """Grid-aligned starts where a session of `duration` fits inside one free interval."""
    for start, end in merge(free):
        moment = ceil_to_grid(max(start, earliest))
        while moment + duration <= end:
            yield moment
            moment += GRID
