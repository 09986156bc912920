"""Request/response helpers shared by the bookings views: JSON when the client asks for it
(Accept: application/json), HTML or an HTMX fragment otherwise."""

from __future__ import annotations

import datetime as dt

from django.http import JsonResponse
from django.shortcuts import render

from bookings.errors import BookingError, InvalidDiscountCode, TooManyAttempts
from core.throttle import Throttle

# Discount codes are guessable words: 20 wrong ones in 10 minutes per signed-in client and per
# IP address, then every code check answers 429 until the window ends (issue 8 #12).
DISCOUNT_CODE_THROTTLE = Throttle("discount-code", limit=20, window=600)


def wants_json(request) -> bool:
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def parse_instant(value: str | None, *, field: str = "start") -> dt.datetime:
    """An ISO 8601 instant with its offset ("2026-03-02T09:00:00+01:00" or "...Z")."""
    from bookings.errors import InvalidTime

    if not value:
        raise InvalidTime("Choose a start time.", field=field)
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace(" ", "+"))
    except ValueError:
        raise InvalidTime(f"“{value}” is not a date and time (ISO 8601).", field=field) from None
    if parsed.tzinfo is None:
        raise InvalidTime(
            "Give the time with its UTC offset, e.g. 2026-03-02T09:00:00+01:00.", field=field
        )
    return parsed.astimezone(dt.UTC)


def parse_int(value, *, field: str, label: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise BookingError(f"Choose a {label}.", field=field) from None


def parse_date(value: str | None, default: dt.date) -> dt.date:
    if not value:
        return default
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return default


def error_json(exc: BookingError) -> JsonResponse:
    body = {"message": exc.message, "code": exc.code}
    if exc.field:
        body["field"] = exc.field
    return JsonResponse(body, status=exc.status_code)


def render_error(
    request, exc: BookingError, *, template: str = "bookings/error.html", context=None
):
    if wants_json(request):
        return error_json(exc)
    # htmx does not swap 4xx responses by default: the fragment carries the message with 200.
    status = 200 if request.htmx else exc.status_code
    return render(request, template, {"error": exc, **(context or {})}, status=status)


def safe_next(request, default: str) -> str:
    """The form's `next` if it points into this site, else `default` (no open redirects)."""
    from django.utils.http import url_has_allowed_host_and_scheme

    candidate = request.POST.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return default


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
