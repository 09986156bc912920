"""Request/response helpers shared by the bookings views: JSON when the client asks for it
(Accept: application/json), HTML or an HTMX fragment otherwise."""

from __future__ import annotations

import datetime as dt

from django.http import JsonResponse
from django.shortcuts import render

from bookings.errors import BookingError


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
    return with_retry_after(JsonResponse(body, status=exc.status_code), exc)


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


def safe_next(request, default: str) -> str:
    """The form's `next` if it points into this site, else `default` (no open redirects)."""
    from django.utils.http import url_has_allowed_host_and_scheme

    candidate = request.POST.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return default
