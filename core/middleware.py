"""Refuse NUL characters at the door (issue 8 #15). No field of the site accepts one and
PostgreSQL cannot store one in text, so a NUL in the path, the query string, a form field or a
JSON body is a 400 with a message, before any view turns it into a database error."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse

MESSAGE = "The request contains a NUL character, which no field accepts."


def _has_nul(request) -> bool:
    if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
        return True
    if any("\x00" in key or "\x00" in v for key, values in request.GET.lists() for v in values):
        return True
    if request.method not in ("POST", "PUT", "PATCH"):
        return False
    content_type = request.content_type or ""
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        small = int(request.META.get("CONTENT_LENGTH") or 0) <= (
            settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
        )
        if small:
            request.body  # noqa: B018 - keep the raw body readable after parsing the form
        return any(
            "\x00" in key or "\x00" in v for key, values in request.POST.lists() for v in values
        )
    if content_type.endswith("json"):
        body = request.body  # RequestDataTooBig (400) when over DATA_UPLOAD_MAX_MEMORY_SIZE
        return b"\x00" in body or b"\\u0000" in body
    return False


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            accept = request.headers.get("Accept", "")
            if "application/json" in accept or (request.content_type or "").endswith("json"):
                return JsonResponse({"message": MESSAGE, "code": "invalid"}, status=400)
            return HttpResponseBadRequest(MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class InvalidRequestBodyMiddleware:
    """A JSON body that is not JSON is the client's mistake wherever a view reads it
    (core.http.json_body raises InvalidRequestBody): 400 with the error's JSON, never a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from core.http import InvalidRequestBody, json_error

        if isinstance(exception, InvalidRequestBody):
            return json_error(exception)
        return None
