"""The booking modal, quotes and booking creation (JSON or HTML/HTMX)."""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from bookings import selectors
from bookings.errors import BookingError, NotAllowed
from bookings.http import (
    check_code_allowed,
    error_json,
    lookup_discount_code,
    parse_date,
    parse_instant,
    parse_int,
    record_code_failure,
    render_error,
    wants_json,
)
from bookings.models import Booking
from bookings.services.abandoned import booking_payment_abandon
from bookings.services.booking_create import (
    booking_create,
    check_time_free,
)
from core.http import request_data


def _login_then_calendar(coach_id: str) -> str:
    """The login page, coming back to the coach's calendar (or home for a coach id that is not
    a number)."""
    back = (
        reverse("bookings:calendar", kwargs={"coach_id": coach_id})
        if coach_id.isascii() and coach_id.isdigit()
        else "/"
    )
    return f"{reverse(settings.LOGIN_URL)}?next={back}"


def _viewer_tz(request):
    return timezone.get_current_timezone()


def modal_context(request, coach, params) -> dict:
    """Everything the booking panel shows for the choices in `params` (GET or POST data);
    discount codes go through the per-client throttle."""
    return selectors.booking_panel_context(
        viewer=request.user,
        coach=coach,
        params=params,
        tz=_viewer_tz(request),
        now=timezone.now(),
        code_lookup=functools.partial(lookup_discount_code, request),
    )


@require_GET
def book(request, coach_id: int):
    """GET /coaches/<id>/book/?session_type=&date=&duration=&start=&code= — the modal (HTMX)
    or a full page; each change of a choice re-renders the panel."""
    try:
        coach = selectors.coach_for_booking(coach_id)
        parse_date(request.GET.get("date"), timezone.now().date())
    except BookingError as exc:
        return render_error(request, exc)
    context = modal_context(request, coach, request.GET)
    if request.htmx:
        fragment = "panel" if request.htmx.target == "booking-panel" else "modal"
        return render(request, f"bookings/book.html#{fragment}", context)
    return render(request, "bookings/book.html", context)


@require_GET
def start_times(request, coach_id: int):
    """GET /coaches/<id>/start-times/?session_type=&date=&duration= → JSON start times."""
    try:
        coach = selectors.coach_for_booking(coach_id)
        access = selectors.calendar_access(request.user, coach)
        if not access.can_view:
            raise NotAllowed(access.reason)
        session_type = selectors.session_type_for(coach, request.GET.get("session_type"))
        duration = parse_int(
            request.GET.get("duration") or session_type.duration_default,
            field="duration",
            label="duration",
        )
        tz = _viewer_tz(request)
        day = parse_date(request.GET.get("date"), timezone.now().astimezone(tz).date())
        starts = selectors.bookable_starts(
            coach=coach,
            session_type=session_type,
            day=day,
            duration=duration,
            viewer_tz=tz,
            now=timezone.now(),
        )
    except BookingError as exc:
        return error_json(exc)
    return JsonResponse(
        {"date": day.isoformat(), "duration": duration, "starts": [s.isoformat() for s in starts]}
    )


@require_GET
def quote(request):
    """GET /prices/quote/?coach=&session_type=&start=&duration=&code= — read-only price."""
    try:
        result = _quote(request)
    except BookingError as exc:
        if request.htmx and not wants_json(request):
            return render(request, "bookings/book.html#price", {"quote_error": exc.message})
        return error_json(exc)
    if request.htmx and not wants_json(request):
        return render(request, "bookings/book.html#price", {"quote": result})
    return JsonResponse(result.as_json())


def _quote(request):
    params = request.GET
    coach = selectors.coach_for_booking(params.get("coach"))
    access = selectors.calendar_access(request.user, coach)
    if not access.can_view and not access.is_owner:
        # Prices follow the calendar's visibility: private and connected-only coaches'
        # rates (and whether a code of theirs exists) are not for everyone.
        raise NotAllowed(access.reason, code="blocked" if access.blocked else "not_visible")
    session_type = selectors.session_type_for(coach, params.get("session_type"))
    start = parse_instant(params.get("start"))
    duration = parse_int(params.get("duration"), field="duration", label="duration")
    end = selectors.validate_time_rules(
        session_type=session_type, start=start, duration=duration, now=timezone.now()
    )
    check_time_free(coach, session_type, start, end)  # other sessions, webinars: 409
    discount = None
    if (params.get("code") or "").strip():
        discount = lookup_discount_code(
            request,
            coach=coach,
            code=params["code"],
            session_type=session_type,
            client=request.user,
            now=timezone.now(),
        )
    return selectors.quote_session(
        coach=coach, session_type=session_type, start=start, end=end, code=discount
    )


@require_POST
def create(request):
    """POST /bookings/ (coach, session_type, start, duration, code[, title, message]).
    Any price the client sends is ignored: the server prices the booking itself."""
    if not request.user.is_authenticated:
        if wants_json(request):
            return JsonResponse(
                {"message": "Log in to book a session.", "code": "login_required"}, status=401
            )
        return redirect(_login_then_calendar(request.POST.get("coach", "")))
    coach = None
    try:
        data = request_data(request)
        coach = selectors.coach_for_booking(data.get("coach"))
        if str(data.get("code") or "").strip():
            check_code_allowed(request)
        started = booking_create(
            client=request.user,
            coach_id=coach.pk,
            session_type_id=data.get("session_type"),
            start=parse_instant(data.get("start")),
            duration=parse_int(data.get("duration"), field="duration", label="duration"),
            code=str(data.get("code") or ""),
            title=str(data.get("title") or ""),
            message=str(data.get("message") or ""),
        )
    except BookingError as exc:
        record_code_failure(request, exc)
        if wants_json(request) or coach is None:
            return error_json(exc) if wants_json(request) else render_error(request, exc)
        context = modal_context(request, coach, request.POST)
        context["error"] = exc
        status = 200 if request.htmx else exc.status_code
        template = "bookings/book.html#panel" if request.htmx else "bookings/book.html"
        return render(request, template, context, status=status)
    if wants_json(request):
        return JsonResponse(started.as_json(), status=201)
    if request.htmx:
        return render(
            request, "bookings/status.html#panel", panel_context(started.booking), status=201
        )
    return redirect(started.booking.get_absolute_url())


def panel_context(booking: Booking) -> dict:
    return selectors.status_panel_context(booking)


@login_required
@require_GET
def status(request, booking_id: int):
    """The booking panel as it is now (polled by the payment step after paying while the
    live stream is closed; the push of `notifications.live.booking_changed` otherwise)."""
    booking = get_object_or_404(
        Booking.objects.select_related("coach__user", "session_type", "payment"),
        pk=booking_id,
        client=request.user,
    )
    if wants_json(request):
        return JsonResponse(
            {"booking_id": booking.pk, "status": booking.status, "type": booking.booking_type}
        )
    return render(request, "bookings/status.html#panel", panel_context(booking))


@login_required
@require_POST
def payment_cancel(request, booking_id: int):
    """The client stops at the payment step: give the time back and cancel the intent."""
    booking = get_object_or_404(Booking, pk=booking_id, client=request.user)
    booking_payment_abandon(booking_id=booking.pk)
    booking.refresh_from_db()
    if wants_json(request):
        return JsonResponse({"booking_id": booking.pk, "status": booking.status})
    if request.htmx:
        return render(request, "bookings/status.html#panel", panel_context(booking))
    return redirect(booking.get_absolute_url())
