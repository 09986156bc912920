"""The booking modal, quotes and booking creation (JSON or HTML/HTMX)."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from bookings import scheduling, selectors
from bookings.errors import BookingError, InvalidDiscountCode, NotAllowed, TooManyAttempts
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
from bookings.services.booking_create import (
    booking_create,
    booking_release_unpaid,
    booking_type_for,
    check_time_free,
    connected,
)
from core.http import json_body


def _viewer_tz(request):
    return timezone.get_current_timezone()


def modal_context(request, coach, params) -> dict:
    """Everything the booking panel shows for the choices in `params` (GET or POST data)."""
    now = timezone.now()
    tz = _viewer_tz(request)
    access = selectors.calendar_access(request.user, coach)
    guest_mode = not request.user.is_authenticated
    # A visitor without an account sees the free types that take guests ("Book as guest").
    types = (
        selectors.guest_session_types(coach)
        if guest_mode
        else selectors.active_session_types(coach)
    )
    context = {
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
    starts = selectors.bookable_starts(
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
                discount = lookup_discount_code(
                    request,
                    coach=coach,
                    code=code,
                    session_type=session_type,
                    client=request.user,
                    now=now,
                )
            except (InvalidDiscountCode, TooManyAttempts) as exc:
                context["code_error"] = exc.message
        context["quote"] = selectors.quote_session(
            coach=coach, session_type=session_type, start=chosen, end=end, code=discount
        )
        slots = selectors.load_schedule(
            coach=coach, session_type=session_type, window_start=chosen, window_end=end
        ).slots
        context["booking_type"] = booking_type_for(
            session_type=session_type,
            instant=bool(slots) and all(s.instant_booking for s in slots),
            start=chosen,
            now=now,
            connected=not guest_mode and connected(request.user, coach),
        )
    return context


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


def _body(request) -> dict:
    data = json_body(request, invalid=BookingError("The request body is not valid JSON."))
    return request.POST if data is None else data


@require_POST
def create(request):
    """POST /bookings/ (coach, session_type, start, duration, code[, title, message]).
    Any price the client sends is ignored: the server prices the booking itself."""
    if not request.user.is_authenticated:
        if wants_json(request):
            return JsonResponse(
                {"message": "Log in to book a session.", "code": "login_required"}, status=401
            )
        return redirect(f"/accounts/login/?next=/coaches/{request.POST.get('coach', '')}/calendar/")
    coach = None
    try:
        data = _body(request)
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
    released = booking_release_unpaid(
        booking_id=booking.pk, reason="client cancelled the payment", status=Booking.Status.EXPIRED
    )
    if released is not None and released.payment_id:
        from payments.errors import PaymentError
        from payments.services import payment_cancel as cancel_intent

        # Paid in the meantime: then the payment handler gives the money back.
        with contextlib.suppress(PaymentError):
            cancel_intent(
                payment_id=released.payment_id, reason="client cancelled the payment step"
            )
    booking.refresh_from_db()
    if wants_json(request):
        return JsonResponse({"booking_id": booking.pk, "status": booking.status})
    if request.htmx:
        return render(request, "bookings/status.html#panel", panel_context(booking))
    return redirect(booking.get_absolute_url())


def day_navigation(day: dt.date) -> dict:
    return {
        "previous": day - dt.timedelta(days=1),
        "next": day + dt.timedelta(days=1),
        "week": scheduling.week_start(day),
    }
