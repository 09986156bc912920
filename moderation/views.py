"""`POST /flags/`: a signed-in person reports a review, a coach profile, a webinar or a user.

Form (the "Report" disclosure, htmx or plain) or JSON through core.http. JSON answers: 201
with the new flag, 200 with the existing one when the same person reports the same target
again, 400 `{"message", "code", "errors": {field: [...]}}`, 401 anonymous, 429 throttled.
HTML: htmx gets the disclosure back (errors in it, or the thank-you in its status region;
200 so that htmx swaps it), a plain form is redirected to `next` with a message, or gets the
form again with its errors (400)."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.http import json_body, safe_next, wants_json
from core.throttle import Throttle
from moderation import services
from moderation.errors import FlagTooFast, ModerationError
from moderation.targets import target_for

# Every attempt counts, valid or not: reporting is cheap to send and each report costs staff
# time; 30 an hour is far more than a person reporting in good faith needs.
FLAG_THROTTLE = Throttle("flags", limit=30, window=3600)
FIELDS = ("target_kind", "target_id", "reason", "note")
THANKS = "Thank you. Your report was sent; our moderation team will review it."
ALREADY = "You already reported this. Our moderation team will review it."


def _flag_json(flag) -> dict:
    return {
        "id": flag.pk,
        "target_kind": flag.target_kind,
        "target_id": flag.target_id,
        "reason": flag.reason,
        "note": flag.note,
        "status": flag.status,
        "created_at": flag.created_at.isoformat(),
    }


@require_POST
def flag_create(request):
    data = json_body(request)
    as_json = data is not None or wants_json(request)
    if not request.user.is_authenticated:
        if as_json:
            return JsonResponse(
                {"message": "Log in to report something.", "code": "LOGIN_REQUIRED"}, status=401
            )
        return redirect_to_login(safe_next(request, "/"))
    values = {name: (data if data is not None else request.POST).get(name) for name in FIELDS}
    try:
        if FLAG_THROTTLE.is_exceeded(request):
            raise FlagTooFast()
        FLAG_THROTTLE.record_failure(request)
        flag, created = services.flag_create(reporter=request.user, **values)
    except ModerationError as exc:
        if as_json:
            return JsonResponse(
                {"message": exc.message, "code": exc.code, "errors": exc.errors},
                status=exc.status_code,
            )
        return _form_answer(request, values, errors=exc.errors or {"all": [exc.message]}, exc=exc)
    if as_json:
        return JsonResponse(_flag_json(flag), status=201 if created else 200)
    message = THANKS if created else ALREADY
    if not request.htmx:
        messages.success(request, message)
        return redirect(safe_next(request, "/"))
    return _form_answer(request, values, message=message, done=True)


def _form_answer(request, values, *, errors=None, message="", done=False, exc=None):
    kind = values["target_kind"] if isinstance(values["target_kind"], str) else ""
    context = {
        # Echoed into ids and hidden inputs: only what a real target could be.
        "target_kind": kind if target_for(kind) is not None else "",
        "target_id": re.sub(r"[^0-9]", "", str(values["target_id"] or ""))[:20],
        "target_label": (request.POST.get("target_label") or "")[:200],
        "flag_values": values,
        "flag_errors": errors or {},
        # Errors not tied to a visible field (the target, the throttle) show above the form.
        "flag_top_error": next(
            (errors[k][0] for k in ("target_kind", "target_id", "all") if errors and errors.get(k)),
            "",
        ),
        "flag_message": message or (exc.message if exc is not None and not errors else ""),
        "flag_done": done,
        "flag_next": safe_next(request, "/"),
    }
    if request.htmx:
        return render(request, "moderation/_flag_form.html", context)
    status = exc.status_code if exc is not None else 200
    return render(request, "moderation/flag_page.html", context, status=status)
