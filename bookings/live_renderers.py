"""The 1:1 booking widgets pushed live, registered with notifications.live_fragments: the
client's status panel (`bookings/status.html#panel`, root id `booking-<id>-panel`, context from
`status_panel_context`, as on the page) and the coach's open-request count
(`bookings/coach_dashboard.html#open_requests` and `#requests_badge`)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from bookings.models import Booking
from bookings.selectors import booking_for_status_panel, open_request_count, status_panel_context
from notifications.live_fragments import oob, push_context, register_live_renderers

BOOKING_STATUS_TEMPLATE = "bookings/status.html#panel"
OPEN_REQUESTS_TEMPLATES = (
    "bookings/coach_dashboard.html#open_requests",
    "bookings/coach_dashboard.html#requests_badge",
)


def render_booking_status(booking: Booking) -> str:
    """The client's status panel, or "" while the booking awaits payment: that face (the
    payment step, "Confirming your payment") only ever answers the client's own click on the
    page, which shows it already; a push would wipe a card being typed and has no CSRF token."""
    if booking.status == Booking.Status.PAYMENT_PENDING:
        return ""
    client = booking.client
    if client is None:  # a guest (no account) has no page to push to; the caller skips them
        return ""
    with timezone.override(client.tzinfo):
        context = {**push_context(client), **status_panel_context(booking)}
        return oob(render_to_string(BOOKING_STATUS_TEMPLATE, context))


def render_open_requests(coach) -> str:
    """The coach's open-request count as the dashboard shows it (stat card and Requests badge)."""
    context = {"open_requests_count": open_request_count(coach)}
    return "".join(oob(render_to_string(name, context)) for name in OPEN_REQUESTS_TEMPLATES)


def register() -> None:
    register_live_renderers(
        load_booking=booking_for_status_panel,
        render_booking_status=render_booking_status,
        render_open_requests=render_open_requests,
    )
