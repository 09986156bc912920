"""Request/response helpers shared by the bookings views: JSON when the client asks for it
(Accept: application/json), HTML or an HTMX fragment otherwise."""

from __future__ import annotations

import datetime as dt

from django.http import JsonResponse
from django.shortcuts import render

from bookings.errors import BookingError, InvalidDiscountCode, TooManyAttempts
from core.http import json_error, safe_next, wants_json  # noqa: F401  (re-exported for the views)
from core.throttle import Throttle

# Discount codes are guessable words: 20 wrong ones in 10 minutes per signed-in client and per
# IP address, then every code check answers 429 until the window ends (issue 8 #12).
DISCOUNT_CODE_THROTTLE = Throttle("discount-code", limit=20, window=600)


# Dates and times people may ask about. Far outside this window the scheduling arithmetic
# (a week on either side, buffers, time zones) would leave Python's date range: such input is
# refused here, at the edge, with a message (issue 8 #15).
MIN_DATE = dt.date(2000, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)
RANGE_MESSAGE = f"Choose a date between {MIN_DATE.year} and {MAX_DATE.year}."
MAX_INT = 1_000_000  # larger than any duration, id or page the site offers


def parse_instant(value, *, field: str = "start") -> dt.datetime:
    """An ISO 8601 instant with its offset ("2026-03-02T09:00:00+01:00" or "...Z"), as UTC.
    Anything else (numbers, lists, objects from JSON; far dates; extreme offsets) is an
    InvalidTime with a message."""
    from bookings.errors import InvalidTime

    if value is None or value == "":
        raise InvalidTime("Choose a start time.", field=field)
    if not isinstance(value, str) or "\x00" in value or len(value) > 64:
        raise InvalidTime("Give the time as text in ISO 8601 format.", field=field)
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace(" ", "+"))
    except ValueError:
        raise InvalidTime(f"“{value}” is not a date and time (ISO 8601).", field=field) from None
    if parsed.tzinfo is None:
        raise InvalidTime(
            "Give the time with its UTC offset, e.g. 2026-03-02T09:00:00+01:00.", field=field
        )
    try:
        utc = parsed.astimezone(dt.UTC)
    except OverflowError:
        raise InvalidTime(RANGE_MESSAGE, field=field) from None
    if not MIN_DATE <= utc.date() <= MAX_DATE:
        raise InvalidTime(RANGE_MESSAGE, field=field)
    return utc


def parse_int(value, *, field: str, label: str, minimum: int = 0, maximum: int = MAX_INT) -> int:
    """A whole number from a form field or JSON (not a bool, not a float), within bounds."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise BookingError(f"Choose a {label}.", field=field)
    try:
        number = int(value) if isinstance(value, int) else int(value.strip()[:20])
    except ValueError:
        raise BookingError(f"Choose a {label}.", field=field) from None
    if not minimum <= number <= maximum:
        raise BookingError(f"Choose a {label} between {minimum} and {maximum}.", field=field)
    return number


def parse_date(value, default: dt.date, *, strict: bool = True) -> dt.date:
    """An ISO date (YYYY-MM-DD) between MIN_DATE and MAX_DATE, or `default` when none is
    given. A bad or far date is an InvalidTime (400 with a message); with strict=False (a
    panel re-rendered after another error) it falls back to `default`."""
    from bookings.errors import InvalidTime

    if value is None or value == "":
        return default
    try:
        if not isinstance(value, str):
            raise ValueError
        day = dt.date.fromisoformat(value.strip())
        if not MIN_DATE <= day <= MAX_DATE:
            raise InvalidTime(RANGE_MESSAGE, field="date")
    except (ValueError, InvalidTime) as exc:
        if not strict:
            return default
        if isinstance(exc, InvalidTime):
            raise
        raise InvalidTime(f"“{value}” is not a date (YYYY-MM-DD).", field="date") from None
    return day


def error_json(exc: BookingError) -> JsonResponse:
    return json_error(exc)


def with_retry_after(response, exc: Exception):
    """A "busy, try again" error (core.locking) tells the client when: `Retry-After`."""
    retry_after = getattr(exc, "retry_after", None)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def render_error(
    request, exc: BookingError, *, template: str = "bookings/error.html", context=None
):
    if wants_json(request):
        return error_json(exc)
    # htmx does not swap 4xx responses by default: the fragment carries the message with 200.
    status = 200 if request.htmx else exc.status_code
    response = render(request, template, {"error": exc, **(context or {})}, status=status)
    return with_retry_after(response, exc)


def check_code_allowed(request) -> None:
    """Raise TooManyAttempts if this client or address guessed too many codes lately."""
    if DISCOUNT_CODE_THROTTLE.is_exceeded(request):
        raise TooManyAttempts(DISCOUNT_CODE_THROTTLE.message, field="code")


def record_code_failure(request, exc: BookingError) -> None:
    if isinstance(exc, InvalidDiscountCode):
        DISCOUNT_CODE_THROTTLE.record_failure(request)


def lookup_discount_code(request, **lookup):
    """`selectors.discount_code_lookup(**lookup)` behind the per-client throttle: every wrong
    code counts, and a throttled client learns nothing about any code."""
    from bookings import selectors

    check_code_allowed(request)
    try:
        return selectors.discount_code_lookup(**lookup)
    except InvalidDiscountCode as exc:
        record_code_failure(request, exc)
        raise
