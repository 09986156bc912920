"""Rendering of the webinar and 1:1 booking widgets that are pushed live.

The fragments come from the webinar pages' own partials (one template per widget): the
public "spots left" (`webinars/detail.html#spots`, root id `webinar-<id>-spots`), the coach's
attendee count (`webinars/detail.html#attendees`, root id `webinar-<id>-attendees`) and a
user's booking panel (`webinars/detail.html#booking_panel`). Their context comes from the
webinar app's `webinar_live_context` selector, so the live fragment and the page match.
For 1:1 sessions: the client's status panel (`bookings/status.html#panel`, root id
`booking-<id>-panel`, context from `bookings.selectors.status_panel_context`) and the coach's
open-request count (`bookings/coach_dashboard.html#open_requests` and `#requests_badge`).
"""

from __future__ import annotations

import logging

from django.apps import apps
from django.template.loader import render_to_string
from django.utils import timezone

logger = logging.getLogger(__name__)

SPOTS_TEMPLATE = "webinars/detail.html#spots"
ATTENDEES_TEMPLATE = "webinars/detail.html#attendees"
BOOKING_PANEL_TEMPLATE = "webinars/detail.html#booking_panel"


def _model(label: str):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def load_webinar(webinar_id: int):
    Webinar = _model("webinars.Webinar")
    if Webinar is None:
        return None
    return Webinar.objects.select_related("coach__user").filter(pk=webinar_id).first()


def load_registration(registration_id: int):
    Registration = _model("webinars.Registration")
    if Registration is None:
        return None
    return (
        Registration.objects.select_related("user", "webinar__coach__user")
        .filter(pk=registration_id)
        .first()
    )


def coach_user_id(webinar) -> int | None:
    coach = getattr(webinar, "coach", None)
    return getattr(coach, "user_id", None)


def _webinar_context(webinar, user=None) -> dict:
    """The context the webinar detail partials render with, for `user` (None: anonymous),
    plus what the site's context processor gives a page (no request exists for a push)."""
    from core.context_processors import site
    from webinars.selectors import webinar_live_context

    return {**site(None), "user": user, **webinar_live_context(webinar=webinar, user=user)}


def _oob(html: str) -> str:
    """Mark the fragment's root for an out-of-band swap (the ws extension swaps by id anyway;
    the attribute keeps the fragment usable in ordinary htmx responses too)."""
    html = html.strip()
    if html.startswith("<") and "hx-swap-oob" not in html.split(">", 1)[0]:
        tag_end = html.index(">")
        self_closing = html[tag_end - 1] == "/"
        insert_at = tag_end - 1 if self_closing else tag_end
        html = html[:insert_at] + ' hx-swap-oob="true"' + html[insert_at:]
    return html


def render_spots(webinar) -> str:
    return _oob(render_to_string(SPOTS_TEMPLATE, _webinar_context(webinar)))


def render_attendees(webinar) -> str:
    coach_user = getattr(getattr(webinar, "coach", None), "user", None)
    with timezone.override(coach_user.tzinfo if coach_user else None):
        return _oob(render_to_string(ATTENDEES_TEMPLATE, _webinar_context(webinar, coach_user)))


# Panel faces worth pushing: the outcome of something that happened elsewhere (the webhook
# confirmed the seat, the hold expired, the payment was refunded). The "pay" and "confirming"
# faces are only ever the answer to the user's own click on this page, which already shows
# them; pushing them would wipe a card being typed and carry no CSRF token (a push has no
# request, so no token can be rendered into its forms).
PUSHED_PANEL_FACES = frozenset({"booked", "book"})


def render_booking_panel(registration) -> str:
    """The booker's panel, or "" when its face is not one we push."""
    user = registration.user
    with timezone.override(user.tzinfo):
        context = _webinar_context(registration.webinar, user)
        state = context.get("state")
        if state is not None and state.panel not in PUSHED_PANEL_FACES:
            return ""
        return _oob(render_to_string(BOOKING_PANEL_TEMPLATE, context))


# --- 1:1 bookings -------------------------------------------------------------------------------

BOOKING_STATUS_TEMPLATE = "bookings/status.html#panel"
OPEN_REQUESTS_TEMPLATES = (
    "bookings/coach_dashboard.html#open_requests",
    "bookings/coach_dashboard.html#requests_badge",
)


def load_booking(booking_id: int):
    if _model("bookings.Booking") is None:
        return None
    from bookings.selectors import booking_for_status_panel

    return booking_for_status_panel(booking_id)


def render_booking_status(booking) -> str:
    """The client's status panel, or "" while the booking awaits payment: that face (the
    payment step, "Confirming your payment") only ever answers the client's own click on the
    page, which shows it already; a push would wipe a card being typed and has no CSRF token."""
    from bookings.models import Booking
    from bookings.selectors import status_panel_context
    from core.context_processors import site

    if booking.status == Booking.Status.PAYMENT_PENDING:
        return ""
    client = booking.client
    with timezone.override(client.tzinfo):
        context = {**site(None), "user": client, **status_panel_context(booking)}
        return _oob(render_to_string(BOOKING_STATUS_TEMPLATE, context))


def render_open_requests(coach) -> str:
    """The coach's open-request count as the dashboard shows it (stat card and Requests badge)."""
    from bookings.selectors import open_request_count

    context = {"open_requests_count": open_request_count(coach)}
    return "".join(_oob(render_to_string(name, context)) for name in OPEN_REQUESTS_TEMPLATES)
