"""Time rules for a session start."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from bookings import scheduling
from bookings.errors import InvalidTime
from bookings.models import (
    SessionType,
)

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
