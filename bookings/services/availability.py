"""Writes to a coach's availability: add (one-off or weekly), remove, carve for a booking,
restore and coalesce when a booking gives its time back (seed 004 §4.2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import Coach
from bookings import scheduling
from bookings.errors import BookingError, InvalidTime, NotFound
from bookings.locks import lock_coach
from bookings.models import AvailabilitySeries, AvailabilitySlot, SessionType

MAX_SERIES_WEEKS = 60


def _piece(slot: AvailabilitySlot, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "instant_booking": slot.instant_booking,
        "session_type_id": slot.session_type_id,
        "series_id": slot.series_id,
        "title": slot.title,
    }


def _coalesce(slot: AvailabilitySlot) -> AvailabilitySlot:
    """Merge `slot` with the coach's slots that overlap or touch it and have the same
    instant-booking flag and session type. Caller holds the coach lock."""
    neighbours = list(
        AvailabilitySlot.objects.filter(
            coach_id=slot.coach_id,
            instant_booking=slot.instant_booking,
            session_type_id=slot.session_type_id,
            start__lte=slot.end,
            end__gte=slot.start,
        ).exclude(pk=slot.pk)
    )
    if not neighbours:
        return slot
    slot.start = min([slot.start, *(n.start for n in neighbours)])
    slot.end = max([slot.end, *(n.end for n in neighbours)])
    if slot.series_id is None:
        slot.series_id = next((n.series_id for n in neighbours if n.series_id), None)
    AvailabilitySlot.objects.filter(pk__in=[n.pk for n in neighbours]).delete()
    slot.save(update_fields=["start", "end", "series"])
    return slot


def _add(
    coach: Coach,
    *,
    start: dt.datetime,
    end: dt.datetime,
    instant_booking: bool,
    session_type_id: int | None = None,
    series: AvailabilitySeries | None = None,
    title: str = "Availability",
) -> AvailabilitySlot:
    slot = AvailabilitySlot.objects.create(
        coach=coach,
        start=start,
        end=end,
        instant_booking=instant_booking,
        session_type_id=session_type_id,
        series=series,
        title=title or "Availability",
    )
    return _coalesce(slot)


def _future_part(
    start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> tuple[dt.datetime, dt.datetime] | None:
    """The part of [start, end) from the next quarter hour on, or None if nothing is left."""
    if start < now:
        start = scheduling.ceil_to_grid(now)
    return (start, end) if start < end else None


def _check_type(coach: Coach, session_type: SessionType | None) -> None:
    if session_type is not None and session_type.coach_id != coach.pk:
        raise NotFound("This session type belongs to another coach.")


def availability_check(*, start: dt.datetime, end: dt.datetime) -> None:
    """The rules a one-off slot must meet (raises InvalidTime naming the field). The service
    applies them; forms that create or move slots elsewhere (the admin) call this first."""
    if end <= start:
        raise InvalidTime("The end must be after the start.", field="end")
    if end <= timezone.now():
        raise InvalidTime("This time is already over.", field="start")
    if not (scheduling.on_grid(start) and scheduling.on_grid(end)):
        raise InvalidTime("Availability starts and ends on the quarter hour.", field="start")


def availability_check_weekly(
    *,
    weekdays: list[int],
    start_time: dt.time,
    end_time: dt.time,
    first_date: dt.date,
    last_date: dt.date,
) -> None:
    """The rules a weekly series must meet (raises BookingError naming the field)."""
    if not weekdays or any(d not in range(7) for d in weekdays):
        raise BookingError("Choose at least one weekday.", field="weekdays")
    if last_date < first_date:
        raise InvalidTime("The last date must not be before the first.", field="last_date")
    if (last_date - first_date).days > MAX_SERIES_WEEKS * 7:
        raise InvalidTime(
            f"Repeat for at most {MAX_SERIES_WEEKS} weeks at a time.", field="last_date"
        )
    if start_time.minute % 15 or end_time.minute % 15:
        raise InvalidTime("Availability starts and ends on the quarter hour.", field="start_time")
    if end_time <= start_time and end_time != dt.time(0):
        raise InvalidTime("The end time must be after the start time.", field="end_time")


@transaction.atomic
def availability_add(
    *,
    coach: Coach,
    start: dt.datetime,
    end: dt.datetime,
    instant_booking: bool = False,
    session_type: SessionType | None = None,
) -> AvailabilitySlot:
    """A one-off stretch of free time, merged with touching slots of the same kind."""
    availability_check(start=start, end=end)
    _check_type(coach, session_type)
    lock_coach(coach.pk)
    return _add(
        coach,
        start=start,
        end=end,
        instant_booking=instant_booking,
        session_type_id=session_type.pk if session_type else None,
    )


@transaction.atomic
def availability_add_weekly(
    *,
    coach: Coach,
    weekdays: list[int],
    start_time: dt.time,
    end_time: dt.time,
    first_date: dt.date,
    last_date: dt.date,
    instant_booking: bool = False,
    session_type: SessionType | None = None,
) -> AvailabilitySeries:
    """Weekly availability generated in the coach's zone: 09:00 stays 09:00 across DST."""
    availability_check_weekly(
        weekdays=weekdays,
        start_time=start_time,
        end_time=end_time,
        first_date=first_date,
        last_date=last_date,
    )
    _check_type(coach, session_type)
    tz = coach.user.tzinfo
    try:
        occurrences = scheduling.weekly_occurrences(
            weekdays=weekdays,
            start_time=start_time,
            end_time=end_time,
            first_date=first_date,
            last_date=last_date,
            tz=tz,
        )
    except ValueError as exc:
        raise InvalidTime(str(exc), field="end_time") from None
    lock_coach(coach.pk)
    series = AvailabilitySeries.objects.create(
        coach=coach,
        weekdays=sorted(set(weekdays)),
        start_time=start_time,
        end_time=end_time,
        first_date=first_date,
        last_date=last_date,
        timezone=str(tz),
        instant_booking=instant_booking,
        session_type=session_type,
    )
    now = timezone.now()
    for start, end in occurrences:
        future = _future_part(start, end, now)
        if future:
            _add(
                coach,
                start=future[0],
                end=future[1],
                instant_booking=instant_booking,
                session_type_id=series.session_type_id,
                series=series,
            )
    return series


@transaction.atomic
def availability_remove(*, coach: Coach, slot_id: int) -> None:
    """Take free time off the calendar; bookings already made are not touched."""
    lock_coach(coach.pk)
    deleted, _ = AvailabilitySlot.objects.filter(pk=slot_id, coach=coach).delete()
    if not deleted:
        raise NotFound("This availability does not exist.")


@transaction.atomic
def availability_series_remove(
    *, coach: Coach, series_id: int, from_date: dt.date | None = None
) -> int:
    """Remove a weekly series' future slots (from `from_date` on, default today)."""
    lock_coach(coach.pk)
    series = AvailabilitySeries.objects.filter(pk=series_id, coach=coach).first()
    if series is None:
        raise NotFound("This availability series does not exist.")
    since = scheduling.day_bounds(from_date, coach.user.tzinfo)[0] if from_date else timezone.now()
    deleted, _ = AvailabilitySlot.objects.filter(series=series, start__gte=since).delete()
    return deleted


def carve(*, coach: Coach, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
    """Cut [start, end) out of the coach's slots (seed 002 splitAvailabilitySlot). Returns the
    pieces taken so that `restore` can give exactly them back. Caller holds the coach lock."""
    taken = []
    for slot in AvailabilitySlot.objects.filter(coach=coach, start__lt=end, end__gt=start).order_by(
        "start"
    ):
        taken.append(_piece(slot, max(slot.start, start), min(slot.end, end)))
        before = (slot.start, start) if slot.start < start else None
        after = (end, slot.end) if slot.end > end else None
        if before and after:
            slot.end = start
            slot.save(update_fields=["end"])
            AvailabilitySlot.objects.create(
                coach=coach,
                start=end,
                end=after[1],
                instant_booking=slot.instant_booking,
                session_type_id=slot.session_type_id,
                series_id=slot.series_id,
                title=slot.title,
            )
        elif before:
            slot.end = start
            slot.save(update_fields=["end"])
        elif after:
            slot.start = end
            slot.save(update_fields=["start"])
        else:
            slot.delete()
    return taken


def restore(
    *, coach: Coach, pieces: list[dict[str, Any]], now: dt.datetime | None = None
) -> list[AvailabilitySlot]:
    """Put back availability a booking took and merge it with its neighbours (seed 004
    coalesceAndRestoreAvailability). Time already over is not restored. Caller holds the
    coach lock."""
    now = now or timezone.now()
    restored = []
    for piece in pieces:
        future = _future_part(
            dt.datetime.fromisoformat(piece["start"]), dt.datetime.fromisoformat(piece["end"]), now
        )
        if future is None:
            continue
        series_id = piece.get("series_id")
        series = AvailabilitySeries.objects.filter(pk=series_id).first() if series_id else None
        restored.append(
            _add(
                coach,
                start=future[0],
                end=future[1],
                instant_booking=piece.get("instant_booking", False),
                session_type_id=piece.get("session_type_id"),
                series=series,
                title=piece.get("title") or "Availability",
            )
        )
    return restored
