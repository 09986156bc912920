"""Add to calendar (issue 15 #7): the `.ics` of a 1:1 booking or a webinar, the same invite the
confirmation email carries (notifications.ics), for the people in it only (the client and the
coach; a webinar's confirmed attendees and its coach); anyone else gets 404.

Composed here, above both domains (webinars and bookings do not import each other)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from bookings.models import Booking
from notifications.ics import build_invite
from notifications.targets import describe
from webinars.models import Registration, Webinar

GOOGLE_CALENDAR = "https://calendar.google.com/calendar/render"
_ENDED_BOOKING = {
    Booking.Status.DECLINED,
    Booking.Status.CANCELLED_BY_CLIENT,
    Booking.Status.CANCELLED_BY_COACH,
    Booking.Status.EXPIRED,
    Booking.Status.WITHDRAWN,
}


def _ics_response(*, info, method: str, email: str, filename: str) -> HttpResponse:
    body = build_invite(
        info=info,
        method=method,
        attendee_email=email,
        description=f"{settings.SITE_URL}{info.link}" if info.link else "",
    )
    if not body:
        raise Http404("This event has no time yet.")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@login_required
def booking_calendar(request, pk: int):
    booking = get_object_or_404(Booking.objects.select_related("coach__user", "client"), pk=pk)
    if request.user.pk not in (booking.client_id, booking.coach.user_id):
        raise Http404("No such booking.")
    method = "CANCEL" if booking.status in _ENDED_BOOKING else "REQUEST"
    return _ics_response(
        info=describe(booking), method=method, email=request.user.email, filename="session.ics"
    )


@require_GET
@login_required
def webinar_calendar(request, pk: int):
    webinar = get_object_or_404(
        Webinar.objects.select_related("coach__user").prefetch_related("slots"), pk=pk
    )
    is_coach = webinar.coach.user_id == request.user.pk
    is_attendee = Registration.objects.filter(
        webinar=webinar, user=request.user, status=Registration.Status.CONFIRMED
    ).exists()
    if not (is_coach or is_attendee):
        raise Http404("No such webinar.")
    method = "CANCEL" if webinar.status == Webinar.Status.CANCELLED else "REQUEST"
    return _ics_response(
        info=describe(webinar), method=method, email=request.user.email, filename="webinar.ics"
    )


def google_calendar_url(*, title: str, start, end, details: str = "") -> str:
    """A "Add to Google Calendar" link (times in UTC, Google shows them in the viewer's zone)."""
    if start is None:
        return ""
    end = end or start
    fmt = "%Y%m%dT%H%M%SZ"
    from datetime import UTC

    dates = f"{start.astimezone(UTC).strftime(fmt)}/{end.astimezone(UTC).strftime(fmt)}"
    params = {"action": "TEMPLATE", "text": title, "dates": dates, "details": details}
    return f"{GOOGLE_CALENDAR}?{urlencode(params)}"
