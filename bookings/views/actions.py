"""The booking page and every action on a booking (seed 002 accept / decline / suggest,
client picks or declines a suggestion, cancel with refund preview, reschedule)."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from bookings import selectors
from bookings.errors import BookingError
from bookings.http import (
    error_json,
    parse_date,
    parse_instant,
    parse_int,
    render_error,
    safe_next,
    wants_json,
)
from bookings.models import Booking
from bookings.policy import reschedule_deadline
from bookings.services import transitions
from bookings.views.booking import panel_context
from bookings.views.no_show import no_show_allowed
from core.http import request_data


def _visible_booking(request, booking_id: int) -> Booking:
    """The client's or the coach's own booking; anyone else gets a 404 (no existence leak)."""
    booking = selectors.visible_booking(booking_id=booking_id, user=request.user)
    if booking is None:
        raise Http404("No such booking.")
    return booking


def booking_json(booking: Booking) -> dict:
    return {
        "booking_id": booking.pk,
        "status": booking.status,
        "type": booking.booking_type,
        "start": booking.start.isoformat(),
        "end": booking.end.isoformat(),
        "title": booking.title,
        "amount": str(booking.amount_total),
        "currency": booking.currency,
        "refund_amount": str(booking.refund_amount),
        "suggested_times": [
            {"id": s.pk, "start": s.start.isoformat(), "end": s.end.isoformat()}
            for s in booking.suggested_times.all()
        ],
    }


@login_required
def detail(request, booking_id: int):
    booking = _visible_booking(request, booking_id)
    if wants_json(request):
        return JsonResponse(booking_json(booking))
    is_coach = booking.coach.user_id == request.user.pk
    context = {"booking": booking, "is_coach": is_coach, **panel_context(booking)}
    context["can_mark_no_show"] = is_coach and no_show_allowed(booking, timezone.now())
    if booking.status == Booking.Status.CONFIRMED and booking.start > timezone.now():
        with contextlib.suppress(BookingError):
            context["cancel_preview"] = transitions.cancel_preview(
                user=request.user, booking=booking
            )
        if not is_coach:
            context["can_reschedule"] = timezone.now() < reschedule_deadline(
                start=booking.start, session_type=booking.session_type
            )
    return render(request, "bookings/detail.html", context)


def _done(request, booking: Booking, message: str):
    if wants_json(request):
        return JsonResponse(booking_json(booking))
    messages.success(request, message)
    if request.htmx:
        response = render(
            request,
            "bookings/detail.html#actions",
            {
                "booking": booking,
                "is_coach": booking.coach.user_id == request.user.pk,
                "done": message,
            },
        )
        return response
    return redirect(safe_next(request, booking.get_absolute_url()))


def _fail(request, exc: BookingError, booking_id: int):
    if wants_json(request):
        return error_json(exc)
    if request.htmx:
        return render_error(request, exc)
    messages.error(request, exc.message)
    return redirect(
        safe_next(request, reverse("bookings:detail", kwargs={"booking_id": booking_id}))
    )


@login_required
@require_POST
def accept(request, booking_id: int):
    try:
        booking = transitions.booking_accept(
            user=request.user,
            booking_id=booking_id,
            message=str(request_data(request).get("message") or ""),
        )
    except BookingError as exc:
        return _fail(request, exc, booking_id)
    return _done(request, booking, f"Accepted: {booking.person_name} is booked.")


@login_required
@require_POST
def decline(request, booking_id: int):
    try:
        booking = transitions.booking_decline(
            user=request.user,
            booking_id=booking_id,
            message=str(request_data(request).get("message") or ""),
        )
    except BookingError as exc:
        return _fail(request, exc, booking_id)
    return _done(request, booking, "Declined. The client was told and not charged.")


def _suggested_starts(data) -> list[dt.datetime]:
    """`times` as a JSON list or repeated form fields of ISO instants; or `date`+`time` pairs
    (`suggest_date_N`, `suggest_time_N`) from the inbox form, in the viewer's zone."""
    raw = data.getlist("times") if hasattr(data, "getlist") else data.get("times") or []
    if not isinstance(raw, list):
        raw = [raw]
    starts = [parse_instant(value, field="times") for value in raw if value]
    tz = timezone.get_current_timezone()
    for index in range(1, 4):
        day, at = data.get(f"suggest_date_{index}"), data.get(f"suggest_time_{index}")
        if day and at:
            try:
                local = dt.datetime.combine(dt.date.fromisoformat(day), dt.time.fromisoformat(at))
            except (TypeError, ValueError):
                raise BookingError(
                    "Enter the suggested times as a date and a time.", field="times"
                ) from None
            starts.append(local.replace(tzinfo=tz).astimezone(dt.UTC))
    return starts


@login_required
@require_POST
def suggest(request, booking_id: int):
    data = request_data(request)
    try:
        booking = transitions.booking_suggest(
            user=request.user,
            booking_id=booking_id,
            starts=_suggested_starts(data),
            message=str(data.get("message") or ""),
        )
    except BookingError as exc:
        return _fail(request, exc, booking_id)
    return _done(request, booking, "Your suggestion was sent to the client.")


@login_required
@require_POST
def pick(request, booking_id: int):
    data = request_data(request)
    try:
        booking = transitions.booking_pick_suggestion(
            user=request.user,
            booking_id=booking_id,
            suggestion_id=parse_int(
                data.get("suggestion"), field="suggestion", label="suggested time"
            ),
        )
    except BookingError as exc:
        return _fail(request, exc, booking_id)
    return _done(request, booking, "Confirmed at the new time.")


@login_required
@require_POST
def decline_suggestion(request, booking_id: int):
    try:
        booking = transitions.booking_decline_suggestion(
            user=request.user,
            booking_id=booking_id,
            message=str(request_data(request).get("message") or ""),
        )
    except BookingError as exc:
        return _fail(request, exc, booking_id)
    return _done(request, booking, "You declined the suggested times. You have not been charged.")


@login_required
@require_POST
def withdraw(request, booking_id: int):
    """The client takes back a pending request (or one with suggested times)."""
    _visible_booking(request, booking_id)  # someone else's booking: 404, not 403
    try:
        booking = transitions.booking_withdraw(
            user=request.user,
            booking_id=booking_id,
            message=str(request_data(request).get("message") or ""),
        )
    except BookingError as exc:
        return _fail(request, exc, booking_id)
    return _done(
        request, booking, "Request withdrawn. Your card was not charged and the coach was told."
    )


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request, booking_id: int):
    """GET shows what the cancellation refunds; POST cancels."""
    if request.method == "GET":
        booking = _visible_booking(request, booking_id)
        try:
            preview = transitions.cancel_preview(user=request.user, booking=booking)
        except BookingError as exc:
            return _fail(request, exc, booking_id)
        if wants_json(request):
            return JsonResponse(
                {
                    "refund_amount": str(preview.refund.amount),
                    "refund_percent": preview.refund.percent,
                    "currency": booking.currency,
                    "explanation": preview.refund.explanation,
                }
            )
        template = "bookings/cancel.html#form" if request.htmx else "bookings/cancel.html"
        return render(request, template, {"booking": booking, "preview": preview})
    try:
        preview = transitions.booking_cancel(
            user=request.user,
            booking_id=booking_id,
            reason=str(request_data(request).get("reason") or ""),
        )
    except BookingError as exc:
        return _fail(request, exc, booking_id)
    booking = Booking.objects.select_related("coach__user", "client", "session_type").get(
        pk=booking_id
    )
    if wants_json(request):
        return JsonResponse(
            {
                **booking_json(booking),
                "refund_amount": str(preview.refund.amount),
                "refund_percent": preview.refund.percent,
            }
        )
    refund = (
        f" {booking.currency} {preview.refund.amount} will be refunded."
        if preview.refund.amount
        else " No refund applies."
    )
    return _done(request, booking, "The session is cancelled." + refund)


@login_required
@require_http_methods(["GET", "POST"])
def reschedule(request, booking_id: int):
    """GET lists free start times on a day; POST moves the booking."""
    booking = _visible_booking(request, booking_id)
    if request.method == "POST":
        try:
            booking = transitions.booking_reschedule(
                user=request.user,
                booking_id=booking_id,
                start=parse_instant(request_data(request).get("start")),
            )
        except BookingError as exc:
            return _fail(request, exc, booking_id)
        return _done(request, booking, "Moved. Your coach has been told.")
    tz = timezone.get_current_timezone()
    try:
        day = parse_date(request.GET.get("date"), booking.start.astimezone(tz).date())
    except BookingError as exc:
        return render_error(request, exc)
    starts = selectors.bookable_starts(
        coach=booking.coach,
        session_type=booking.session_type,
        day=day,
        duration=booking.duration_minutes,
        viewer_tz=tz,
        now=timezone.now(),
        exclude_booking_id=booking.pk,
    )
    own_start_free = [s for s in starts if s != booking.start]
    context = {
        "booking": booking,
        "day": day,
        "starts": own_start_free,
        "previous_day": day - dt.timedelta(days=1),
        "next_day": day + dt.timedelta(days=1),
    }
    template = "bookings/reschedule.html#times" if request.htmx else "bookings/reschedule.html"
    return render(request, template, context)
