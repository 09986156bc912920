"""The booking panel (the modal on a coach's calendar): everything it shows for the choices a
person made so far (session type, duration, day, start time, discount code)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from zoneinfo import ZoneInfo

from accounts.models import Coach
from bookings.errors import InvalidDiscountCode, TooManyAttempts
from bookings.http import parse_date
from bookings.models import DiscountCode
from bookings.selectors.access import (
    active_session_types,
    calendar_access,
    connected,
    guest_session_types,
)
from bookings.selectors.quotes import discount_code_lookup, quote_session
from bookings.selectors.rules import booking_type_for
from bookings.selectors.schedule import bookable_starts, load_schedule


def booking_panel_context(
    *,
    viewer,
    coach: Coach,
    params: Mapping[str, str],
    tz: ZoneInfo,
    now: dt.datetime,
    code_lookup: Callable[..., DiscountCode | None] = discount_code_lookup,
) -> dict:
    """The panel's template context for the choices in `params` (GET or POST data). Choices
    that do not fit fall back to the defaults (the first type, its default duration, today).
    `code_lookup` finds the discount code (the view passes the throttled lookup)."""
    access = calendar_access(viewer, coach)
    guest_mode = not viewer.is_authenticated
    # A visitor without an account sees the free types that take guests ("Book as guest").
    types = guest_session_types(coach) if guest_mode else active_session_types(coach)
    context: dict = {
        "coach": coach,
        "access": access,
        "session_types": types,
        "tz": tz,
        "guest_mode": guest_mode,
    }
    if not types or not access.can_view:
        return context
    session_type = next(
        (t for t in types if str(t.pk) == str(params.get("session_type"))), types[0]
    )
    durations = session_type.allowed_durations()
    try:
        duration = int(params.get("duration") or session_type.duration_default)
    except ValueError:
        duration = session_type.duration_default
    if duration not in durations:
        duration = session_type.duration_default
    day = parse_date(params.get("date"), now.astimezone(tz).date(), strict=False)
    starts = bookable_starts(
        coach=coach, session_type=session_type, day=day, duration=duration, viewer_tz=tz, now=now
    )
    chosen = next(
        (s for s in starts if s.isoformat() == (params.get("start") or "").replace(" ", "+")), None
    )
    code = "" if guest_mode else (params.get("code") or "").strip()
    context["message"] = params.get("message") or ""
    if guest_mode:  # kept across the panel's redraws (each change of day, duration, time)
        context["guest_name"] = str(params.get("name") or "")[:150]
        context["guest_email"] = str(params.get("email") or "")[:254]
    context.update(
        session_type=session_type,
        durations=durations,
        duration=duration,
        day=day,
        starts=starts,
        chosen=chosen,
        code=code,
        min_day=now.astimezone(tz).date(),
        previous_day=day - dt.timedelta(days=1),
        next_day=day + dt.timedelta(days=1),
    )
    if chosen is not None:
        end = chosen + dt.timedelta(minutes=duration)
        discount = None
        if code:
            try:
                discount = code_lookup(
                    coach=coach, code=code, session_type=session_type, client=viewer, now=now
                )
            except (InvalidDiscountCode, TooManyAttempts) as exc:
                context["code_error"] = exc.message
        context["quote"] = quote_session(
            coach=coach, session_type=session_type, start=chosen, end=end, code=discount
        )
        slots = load_schedule(
            coach=coach, session_type=session_type, window_start=chosen, window_end=end
        ).slots
        context["booking_type"] = booking_type_for(
            session_type=session_type,
            instant=bool(slots) and all(s.instant_booking for s in slots),
            start=chosen,
            now=now,
            connected=not guest_mode and connected(viewer, coach),
        )
    return context
