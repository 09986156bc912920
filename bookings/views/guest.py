"""Booking a free session without an account, and the guest's signed link
(`/bookings/guest/<token>/`): view, cancel, reschedule, "Add to my account"."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from bookings import guest_links, selectors
from bookings.errors import BookingError
from bookings.http import parse_date, parse_instant, parse_int, wants_json
from bookings.models import Booking
from bookings.policy import reschedule_deadline
from bookings.services import guest as guest_services
from core.http import json_body
from core.throttle import Throttle


class GuestDetailsForm(forms.Form):
    name = forms.CharField(label="Your name", max_length=150)
    email = forms.EmailField(label="Your email", max_length=254)

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name or any(ord(c) < 32 for c in name):
            raise forms.ValidationError("Enter your name.")
        return name


def guest_throttle() -> Throttle:
    return Throttle("guest-booking", limit=settings.GUEST_BOOKING_LIMIT_PER_HOUR, window=3600)


def _text(data, key: str, limit: int = 500) -> str:
    value = data.get(key)
    return value[:limit] if isinstance(value, str) else ""


@require_POST
def guest_create(request):
    """POST /bookings/guest/ (coach, session_type, start, duration, name, email[, message]),
    form or JSON. 201 {"booking_id", "status"}; 400 with field errors (paid type, guests off,
    refused address, invalid fields); 409 when the time is taken; 429 with Retry-After."""
    data = json_body(request)
    as_json = data is not None or wants_json(request)
    if data is None:
        data = request.POST  # a form; invalid JSON reads as {} (every field then missing)
    email_typed = _text(data, "email", 254).strip().lower()
    throttle = guest_throttle()
    extra = (email_typed,) if email_typed else ()
    if throttle.is_exceeded(request, extra=extra):
        return _answer_error(
            request,
            data,
            as_json,
            status=429,
            code="too_many_attempts",
            errors={
                "__all__": "Too many bookings from your network or for this address. "
                "Please try again later."
            },
            retry_after=throttle.retry_after(request, extra=extra),
        )
    throttle.record_failure(request, extra=extra)  # every attempt counts: it sends an email

    form = GuestDetailsForm(data={"name": _text(data, "name", 300), "email": email_typed})
    errors = {} if form.is_valid() else {k: v[0] for k, v in form.errors.items()}
    start = duration = None
    try:
        start = parse_instant(data.get("start"))
    except BookingError as exc:
        errors["start"] = exc.message
    try:
        duration = parse_int(data.get("duration"), field="duration", label="duration")
    except BookingError as exc:
        errors["duration"] = exc.message
    if errors:
        return _answer_error(request, data, as_json, status=400, code="invalid", errors=errors)
    try:
        booking = guest_services.guest_booking_create(
            coach_id=data.get("coach"),
            session_type_id=data.get("session_type"),
            start=start,
            duration=duration,
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            timezone_name=str(timezone.get_current_timezone()),
            message=_text(data, "message", 2000),
        )
    except BookingError as exc:
        return _answer_error(
            request,
            data,
            as_json,
            status=exc.status_code,
            code=exc.code,
            errors={exc.field or "__all__": exc.message},
            retry_after=getattr(exc, "retry_after", None),
        )
    if as_json:
        return JsonResponse({"booking_id": booking.pk, "status": booking.status}, status=201)
    return render(
        request,
        "bookings/guest_booked.html",
        {"booking": booking, "email": booking.guest_email},
        status=201,
    )


def _answer_error(request, data, as_json, *, status, code, errors, retry_after=None):
    message = errors.get("__all__") or next(iter(errors.values()))
    if as_json:
        response = JsonResponse({"message": message, "code": code, "errors": errors}, status=status)
    else:
        response = _render_form_again(request, data, status=status, code=code, errors=errors)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _render_form_again(request, data, *, status, code, errors):
    from bookings.views.booking import modal_context

    try:
        coach = selectors.coach_for_booking(data.get("coach"))
    except BookingError as exc:
        return render(request, "bookings/error.html", {"error": exc}, status=404)
    params = {k: _text(data, k) for k in ("session_type", "duration", "start", "message")}
    start = params.get("start") or ""
    if start and "date" not in params:
        params["date"] = start[:10]
    context = modal_context(request, coach, params)
    context.update(
        guest_errors=errors,
        guest_error_code=code,
        guest_general_error=errors.get("__all__")
        or ("Please correct the fields marked below." if errors else ""),
        guest_name=_text(data, "name", 150),
        guest_email=_text(data, "email", 254),
    )
    return render(request, "bookings/book.html", context, status=status)


# --- the signed link ----------------------------------------------------------------------


def _booking_for(token: str) -> Booking:
    """The booking the link is for, or 404 (tampered, unknown, or expired after the session)."""
    claims = guest_links.read_token(token)
    if claims is None:
        raise Http404("This link is not valid.")
    booking = (
        Booking.objects.select_related("coach__user", "session_type", "client")
        .filter(pk=claims["b"])
        .first()
    )
    if booking is None or not guest_links.link_valid_for(booking, claims):
        raise Http404("This link is not valid any more.")
    return booking


def _manage_context(request, booking: Booking, token: str, **extra) -> dict:
    now = timezone.now()
    tz = timezone.get_current_timezone()
    confirmed = booking.status == Booking.Status.CONFIRMED
    can_cancel = booking.start > now and (
        confirmed or booking.status in (Booking.Status.REQUESTED, Booking.Status.TIME_SUGGESTED)
    )
    can_reschedule = (
        booking.client_id is None
        and confirmed
        and now < reschedule_deadline(start=booking.start, session_type=booking.session_type)
    )
    context = {
        "booking": booking,
        "token": token,
        "can_cancel": can_cancel and booking.client_id is None,
        "can_reschedule": can_reschedule,
        "tz": tz,
        "claimed": booking.client_id is not None,
    }
    if can_reschedule:
        default_day = booking.start.astimezone(tz).date()
        day = parse_date(request.GET.get("date"), default_day, strict=False)
        context.update(
            day=day,
            previous_day=day - dt.timedelta(days=1),
            next_day=day + dt.timedelta(days=1),
            starts=[
                s
                for s in selectors.bookable_starts(
                    coach=booking.coach,
                    session_type=booking.session_type,
                    day=day,
                    duration=booking.duration_minutes,
                    viewer_tz=tz,
                    now=now,
                    exclude_booking_id=booking.pk,
                )
                if s != booking.start
            ],
        )
    context.update(extra)
    return context


@require_GET
def guest_manage(request, token: str):
    booking = _booking_for(token)
    return render(request, "bookings/guest_manage.html", _manage_context(request, booking, token))


def _manage_error(request, booking, token, exc: BookingError):
    context = _manage_context(request, booking, token, error=exc)
    return render(request, "bookings/guest_manage.html", context, status=exc.status_code)


@require_POST
def guest_cancel(request, token: str):
    booking = _booking_for(token)
    try:
        guest_services.guest_booking_cancel(booking=booking, reason=_text(request.POST, "reason"))
    except BookingError as exc:
        return _manage_error(request, booking, token, exc)
    messages.success(request, "Your session is cancelled. The coach has been told.")
    return redirect("bookings:guest_manage", token=token)


@require_POST
def guest_reschedule(request, token: str):
    booking = _booking_for(token)
    try:
        start = parse_instant(request.POST.get("start"))
        booking = guest_services.guest_booking_reschedule(booking=booking, start=start)
    except BookingError as exc:
        return _manage_error(request, booking, token, exc)
    messages.success(request, "Your session has been moved. We emailed you the new time.")
    return redirect("bookings:guest_manage", token=token)


@require_POST
def guest_claim(request, token: str):
    """ "Add to my account": signed in, with the booking's address verified on the account."""
    booking = _booking_for(token)
    if not request.user.is_authenticated:
        return redirect_to_login(guest_links.manage_path(booking))
    try:
        booking = guest_services.guest_booking_claim(user=request.user, booking_id=booking.pk)
    except BookingError as exc:
        return _manage_error(request, booking, token, exc)
    messages.success(request, "The booking is now in your account, under My bookings.")
    return redirect(booking.get_absolute_url())
