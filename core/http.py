"""HTTP helpers shared by every app (the lower layer: no domain imports)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from core.errors import DomainError

if TYPE_CHECKING:
    from accounts.models import User


class AuthenticatedRequest(HttpRequest):
    """For annotations only: the request of a view behind a login check, whose user is a
    User (never AnonymousUser); `htmx` is django-htmx's middleware attribute."""

    user: User
    htmx: Any


def safe_next(request, default: str) -> str:
    """The form's `next` if it is a path on this site, else `default` (no open redirects).
    Only paths: redirect() would read any other text ("-5") as a view name and fail."""
    candidate = request.POST.get("next") or ""
    if (
        candidate.startswith("/")
        and "\x00" not in candidate
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return default


def wants_json(request, *, html_wins: bool = True) -> bool:
    """True when the client asks for JSON (Accept: application/json). With `html_wins` an
    Accept that also names text/html (a browser) gets HTML."""
    accept = request.headers.get("Accept", "")
    if "application/json" not in accept:
        return False
    return not (html_wins and "text/html" in accept)


class InvalidRequestBody(DomainError):
    """An application/json request whose body is not JSON: answered 400 by
    core.middleware.InvalidRequestBodyMiddleware wherever the view reads it."""

    code = "invalid_json"
    default_message = "The request body is not valid JSON."


def json_body(request) -> dict | None:
    """The JSON object in the body of an application/json request ({} for a non-object), or
    None when the request is not JSON (callers then read request.POST). Invalid JSON raises
    InvalidRequestBody (a 400 answer, never a silently empty body)."""
    if request.content_type != "application/json":
        return None
    import json

    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        raise InvalidRequestBody() from None
    return data if isinstance(data, dict) else {}


def request_data(request) -> Mapping[str, Any]:
    """The request's fields: the JSON object of an application/json body (see json_body),
    else the form fields."""
    data = json_body(request)
    return request.POST if data is None else data


def json_error(exc) -> JsonResponse:
    """A core.errors.DomainError as the JSON answer the views give: `{"message", "code"}` with
    the error's status code; `code` only when the error has one, `field` when it names the
    input at fault, and `Retry-After` on a "busy, try again" error (core.locking)."""
    message = getattr(exc, "message", "") or exc.default_message
    body = {"message": message}
    if exc.code:
        body["code"] = exc.code
    field = getattr(exc, "field", None)
    if field:
        body["field"] = field
    response = JsonResponse(body, status=exc.status_code)
    retry_after = getattr(exc, "retry_after", None)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


_URL_SENTINEL = 987654321


def url_maker(name: str) -> Callable[[int], str]:
    """pk -> URL of a route that takes one integer, reversed once per request instead of
    once per row (a list's `{% url %}` per row was a good part of its rendering)."""
    pattern = reverse(name, args=[_URL_SENTINEL])
    return lambda pk: pattern.replace(str(_URL_SENTINEL), str(pk), 1)
