"""A coach's calendar page, the coach's availability forms, connections and blocks."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Block, Coach
from bookings import scheduling, selectors
from bookings.errors import BookingError, NotAllowed
from bookings.forms import AvailabilityForm, WeeklyAvailabilityForm
from bookings.http import error_json, parse_date, render_error, safe_next, wants_json
from bookings.models import AvailabilitySeries
from bookings.services import availability as availability_services
from bookings.services import connections
from core.decorators import coach_required
from core.http import url_maker


def _entry_json(entry) -> dict:
    return {
        "kind": entry.kind,
        "start": entry.start.isoformat(),
        "end": entry.end.isoformat(),
        "label": entry.label,
        "instant_booking": entry.instant,
        "booking_id": entry.booking.pk
        if entry.booking is not None and entry.kind != "busy"
        else None,
    }


def _prepare_week(days, *, tz, owner: bool) -> None:
    """Display values of the week in one pass (the viewer's zone): each day's names and each
    entry's times and links, formatted once here instead of by filters and `{% url %}` per
    entry in the template."""
    detail_url = url_maker("bookings:detail")
    remove_url = url_maker("bookings:availability_remove")
    for day in days:
        day.iso = day.date.isoformat()
        day.label = dateformat.format(day.date, "l j F")
        day.head_day = dateformat.format(day.date, "D")
        day.head_date = dateformat.format(day.date, "j M")
        for entry in day.entries:
            start, end = timezone.localtime(entry.start, tz), timezone.localtime(entry.end, tz)
            entry.times = f"{start:%H:%M}–{end:%H:%M}"
            entry.detail_url = detail_url(entry.booking.pk) if entry.booking is not None else ""
            if owner and entry.slot_id:
                entry.remove_url = remove_url(entry.slot_id)
                entry.remove_label = (
                    f"Remove availability {dateformat.format(start, 'D H:i')}–{end:%H:%M}"
                )


@require_GET
def calendar(request, coach_id: int):
    """GET /coaches/<id>/calendar/?week=YYYY-MM-DD — one week, in the viewer's zone."""
    return _calendar_page(request, coach_id)


def _calendar_page(request, coach_id: int, *, bound_forms: dict | None = None, status=None):
    """The calendar page; `bound_forms` (an invalid availability form the coach posted)
    replaces the empty one, so what they typed and the error are shown (status 400)."""
    coach = get_object_or_404(
        # the connect account: the page asks `coach.is_payment_ready` (no lazy load)
        Coach.objects.select_related("user", "connect_account"),
        pk=coach_id,
        user__is_active=True,
    )
    tz = timezone.get_current_timezone()
    now = timezone.now()
    try:
        week_of = scheduling.week_start(
            parse_date(request.GET.get("week"), now.astimezone(tz).date())
        )
    except BookingError as exc:
        return render_error(request, exc)
    access = selectors.calendar_access(request.user, coach)
    days = (
        selectors.calendar_week(coach=coach, viewer=request.user, week_of=week_of, now=now, tz=tz)
        if access.can_view
        else []
    )
    next_free = None
    if access.can_view and not any(e.kind == "free" for day in days for e in day.entries):
        week_end = scheduling.day_bounds(week_of + dt.timedelta(days=6), tz)[1]
        next_free = selectors.next_free_time(coach=coach, after=max(now, week_end))
    if wants_json(request):
        if not access.can_view:
            return JsonResponse(
                {"message": access.reason, "code": "blocked" if access.blocked else "not_visible"},
                status=403,
            )
        return JsonResponse(
            {
                "coach": coach.pk,
                "week": week_of.isoformat(),
                "timezone": str(tz),
                "next_free": next_free.isoformat() if next_free else None,
                "days": [
                    {"date": d.date.isoformat(), "entries": [_entry_json(e) for e in d.entries]}
                    for d in days
                ],
            }
        )
    _prepare_week(days, tz=tz, owner=access.is_owner)
    context = {
        "coach": coach,
        "access": access,
        "book_url": reverse("bookings:book", args=[coach.pk]),
        "days": days,
        "week_of": week_of,
        "tz": tz,
        "previous_week": week_of - dt.timedelta(days=7),
        "next_week": week_of + dt.timedelta(days=7),
        "this_week": scheduling.week_start(now.astimezone(tz).date()),
        "next_free": next_free,
        "session_types": selectors.active_session_types(coach) if access.can_view else [],
        # Free types a visitor without an account may book as a guest (issue 17).
        "guest_session_types": (
            selectors.guest_session_types(coach)
            if access.can_view and not request.user.is_authenticated
            else []
        ),
    }
    if access.is_owner:
        # Both forms are on one page: their own id prefixes keep every label on its input.
        # No weekday is pre-ticked (ticking Saturday must not mean six days).
        context["availability_form"] = AvailabilityForm(
            initial={"date": week_of}, auto_id="oneoff_%s"
        )
        context["weekly_form"] = WeeklyAvailabilityForm(
            initial={
                "first_date": max(week_of, now.astimezone(tz).date()),
                "last_date": week_of + dt.timedelta(weeks=4),
            },
            auto_id="weekly_%s",
        )
        context.update(bound_forms or {})
        context["series"] = AvailabilitySeries.objects.filter(
            coach=coach, last_date__gte=now.date()
        )[:10]
    if request.htmx and request.htmx.target == "calendar-week":
        return render(request, "bookings/calendar.html#week", context)
    status = status or (
        403
        if not access.can_view
        and not access.is_owner
        and request.user.is_authenticated
        and access.blocked
        else 200
    )
    return render(request, "bookings/calendar.html", context, status=status)


def _flash_and_back(request, exc: BookingError):
    """A form post that failed: JSON for API clients, else the message and back where it came
    from."""
    if wants_json(request):
        return error_json(exc)
    messages.error(request, exc.message)
    return redirect(safe_next(request, "/"))


_COACHES_ONLY = "Only coaches have availability."


@login_required
@require_POST
@coach_required(denied=NotAllowed, message=_COACHES_ONLY, on_denied=_flash_and_back)
def availability_add(request, coach):
    """One-off availability, entered in the coach's own zone."""
    try:
        form = AvailabilityForm(request.POST, auto_id="oneoff_%s")
        if not form.is_valid():
            if not wants_json(request):
                return _calendar_page(
                    request, coach.pk, bound_forms={"availability_form": form}, status=400
                )
            raise BookingError(" ".join(e for errors in form.errors.values() for e in errors))
        data = form.cleaned_data
        tz = coach.user.tzinfo
        availability_services.availability_add(
            coach=coach,
            start=scheduling.local_datetime(data["date"], data["start_time"], tz),
            end=scheduling.local_datetime(data["date"], data["end_time"], tz),
            instant_booking=data["instant_booking"],
        )
    except BookingError as exc:
        return _flash_and_back(request, exc)
    messages.success(request, "Availability added.")
    calendar_url = reverse("bookings:calendar", kwargs={"coach_id": coach.pk})
    return redirect(f"{calendar_url}?week={scheduling.week_start(data['date'])}")


@login_required
@require_POST
@coach_required(denied=NotAllowed, message=_COACHES_ONLY, on_denied=_flash_and_back)
def availability_add_weekly(request, coach):
    try:
        form = WeeklyAvailabilityForm(request.POST, auto_id="weekly_%s")
        if not form.is_valid():
            if not wants_json(request):
                return _calendar_page(
                    request, coach.pk, bound_forms={"weekly_form": form}, status=400
                )
            raise BookingError(" ".join(e for errors in form.errors.values() for e in errors))
        data = form.cleaned_data
        series = availability_services.availability_add_weekly(
            coach=coach,
            weekdays=data["weekdays"],
            start_time=data["start_time"],
            end_time=data["end_time"],
            first_date=data["first_date"],
            last_date=data["last_date"],
            instant_booking=data["instant_booking"],
        )
    except BookingError as exc:
        return _flash_and_back(request, exc)
    messages.success(request, f"Weekly availability added: {series}.")
    calendar_url = reverse("bookings:calendar", kwargs={"coach_id": coach.pk})
    return redirect(f"{calendar_url}?week={scheduling.week_start(data['first_date'])}")


@login_required
@require_POST
@coach_required(denied=NotAllowed, message=_COACHES_ONLY, on_denied=render_error)
def availability_remove(request, slot_id: int, coach):
    try:
        availability_services.availability_remove(coach=coach, slot_id=slot_id)
    except BookingError as exc:
        return render_error(request, exc)
    messages.success(request, "Availability removed.")
    return redirect(safe_next(request, reverse("bookings:calendar", kwargs={"coach_id": coach.pk})))


@login_required
@require_POST
@coach_required(denied=NotAllowed, message=_COACHES_ONLY, on_denied=render_error)
def availability_series_remove(request, series_id: int, coach):
    try:
        removed = availability_services.availability_series_remove(coach=coach, series_id=series_id)
    except BookingError as exc:
        return render_error(request, exc)
    messages.success(request, f"Removed {removed} upcoming slots of that weekly availability.")
    return redirect("bookings:calendar", coach_id=coach.pk)


@login_required
@require_POST
def connect(request, coach_id: int):
    coach = get_object_or_404(Coach.objects.select_related("user"), pk=coach_id)
    try:
        connections.connection_request(client=request.user, coach=coach)
    except BookingError as exc:
        if wants_json(request):
            return error_json(exc)
        messages.error(request, exc.message)
    else:
        if wants_json(request):
            return JsonResponse({"status": "pending"}, status=201)
        messages.success(request, "Connection request sent. The coach will answer soon.")
    return redirect("bookings:calendar", coach_id=coach.pk)


@login_required
@require_POST
def connection_answer(request, connection_id: int, answer: str):
    try:
        connection = connections.connection_respond(
            coach_user=request.user, connection_id=connection_id, accept=answer == "accept"
        )
    except BookingError as exc:
        return render_error(request, exc)
    if wants_json(request):
        return JsonResponse({"status": connection.status})
    messages.success(
        request, f"Connection with {connection.client.display_name} {connection.status}."
    )
    return redirect("bookings:coach_requests")


@login_required
@require_POST
def block(request, user_id: int, action: str):
    other = get_object_or_404(get_user_model(), pk=user_id)
    try:
        if action == "block":
            connections.user_block(blocker=request.user, blocked=other)
        else:
            connections.user_unblock(blocker=request.user, blocked=other)
    except BookingError as exc:
        return render_error(request, exc)
    if wants_json(request):
        return JsonResponse(
            {"blocked": Block.objects.filter(blocker=request.user, blocked=other).exists()}
        )
    messages.success(
        request, f"{other.display_name} is {'blocked' if action == 'block' else 'unblocked'}."
    )
    return redirect(safe_next(request, "/"))
