"""Interval arithmetic, the quarter-hour grid, buffers and DST-safe weekly recurrence."""

import datetime as dt
from zoneinfo import ZoneInfo

from bookings import scheduling
from bookings.scheduling import Busy

ZURICH = ZoneInfo("Europe/Zurich")
NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.UTC


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


def test_weekly_0900_stays_0900_local_across_spring_dst_change():
    occurrences = scheduling.weekly_occurrences(
        weekdays=[0],
        start_time=dt.time(9),
        end_time=dt.time(17),
        first_date=dt.date(2031, 3, 24),
        last_date=dt.date(2031, 4, 7),
        tz=ZURICH,
    )
    assert [s.astimezone(ZURICH).time() for s, _ in occurrences] == [dt.time(9)] * 3
    # UTC moves instead: 08:00 UTC in winter time, 07:00 UTC after 30 March 2031.
    assert [s.hour for s, _ in occurrences] == [8, 7, 7]
    assert all((e - s) == dt.timedelta(hours=8) for s, e in occurrences)


def test_weekly_0900_stays_0900_local_across_autumn_dst_change_in_new_york():
    occurrences = scheduling.weekly_occurrences(
        weekdays=[1, 3],
        start_time=dt.time(9),
        end_time=dt.time(12),
        first_date=dt.date(2031, 10, 28),
        last_date=dt.date(2031, 11, 6),
        tz=NEW_YORK,
    )
    assert all(s.astimezone(NEW_YORK).time() == dt.time(9) for s, _ in occurrences)
    assert sorted({s.hour for s, _ in occurrences}) == [13, 14]  # EDT then EST


def test_a_day_with_a_dst_change_has_23_hours():
    start, end = scheduling.day_bounds(dt.date(2031, 3, 30), ZURICH)
    assert end - start == dt.timedelta(hours=23)


def test_window_to_midnight_ends_at_the_next_local_midnight():
    [(start, end)] = scheduling.weekly_occurrences(
        weekdays=[0],
        start_time=dt.time(18),
        end_time=dt.time(0),
        first_date=dt.date(2031, 3, 3),
        last_date=dt.date(2031, 3, 3),
        tz=ZURICH,
    )
    assert end.astimezone(ZURICH) == dt.datetime(2031, 3, 4, 0, 0, tzinfo=ZURICH)


def test_merge_coalesces_touching_and_overlapping_intervals():
    merged = scheduling.merge(
        [
            (utc(2031, 1, 1, 11), utc(2031, 1, 1, 12)),
            (utc(2031, 1, 1, 9), utc(2031, 1, 1, 10)),
            (utc(2031, 1, 1, 10), utc(2031, 1, 1, 11, 30)),
            (utc(2031, 1, 1, 14), utc(2031, 1, 1, 15)),
        ]
    )
    assert merged == [
        (utc(2031, 1, 1, 9), utc(2031, 1, 1, 12)),
        (utc(2031, 1, 1, 14), utc(2031, 1, 1, 15)),
    ]


def test_subtract_splits_an_interval_around_the_cut():
    remaining = scheduling.subtract(
        [(utc(2031, 1, 1, 9), utc(2031, 1, 1, 17))], (utc(2031, 1, 1, 10), utc(2031, 1, 1, 11))
    )
    assert remaining == [
        (utc(2031, 1, 1, 9), utc(2031, 1, 1, 10)),
        (utc(2031, 1, 1, 11), utc(2031, 1, 1, 17)),
    ]


def test_grid_accepts_quarter_hours_only():
    assert scheduling.on_grid(utc(2031, 1, 1, 9, 45))
    assert not scheduling.on_grid(utc(2031, 1, 1, 9, 40))
    assert scheduling.ceil_to_grid(utc(2031, 1, 1, 9, 40, 5)) == utc(2031, 1, 1, 9, 45)


def test_candidate_starts_fit_inside_free_time_on_the_grid():
    starts = list(
        scheduling.candidate_starts(
            [(utc(2031, 1, 1, 9), utc(2031, 1, 1, 10, 30))],
            dt.timedelta(minutes=60),
            utc(2031, 1, 1, 9, 5),
        )
    )
    assert starts == [utc(2031, 1, 1, 9, 15), utc(2031, 1, 1, 9, 30)]


def test_the_gap_between_sessions_is_the_larger_buffer():
    existing = [
        Busy(utc(2031, 1, 1, 10), utc(2031, 1, 1, 11), dt.timedelta(0), dt.timedelta(minutes=15))
    ]
    fifteen = dt.timedelta(minutes=15)
    # Right after the existing session: its 15 minute buffer-after is in the way.
    assert scheduling.conflicts(
        utc(2031, 1, 1, 11),
        utc(2031, 1, 1, 12),
        buffer_before=dt.timedelta(0),
        buffer_after=dt.timedelta(0),
        busy=existing,
    )
    assert not scheduling.conflicts(
        utc(2031, 1, 1, 11, 15),
        utc(2031, 1, 1, 12),
        buffer_before=fifteen,
        buffer_after=fifteen,
        busy=existing,
    )
    # Ending right before it with our own 15 minute buffer-after: too close.
    assert scheduling.conflicts(
        utc(2031, 1, 1, 9),
        utc(2031, 1, 1, 10),
        buffer_before=dt.timedelta(0),
        buffer_after=fifteen,
        busy=existing,
    )
    assert not scheduling.conflicts(
        utc(2031, 1, 1, 8),
        utc(2031, 1, 1, 9, 45),
        buffer_before=dt.timedelta(0),
        buffer_after=fifteen,
        busy=existing,
    )
