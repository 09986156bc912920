"""Rendering of the webinar widgets that are pushed live.

The fragments come from the webinar pages' own partials (one template per widget): the
public "spots left" (`webinars/detail.html#spots`, root id `webinar-<id>-spots`), the coach's
attendee count (`webinars/detail.html#attendees`, root id `webinar-<id>-attendees`) and a
user's booking panel (`webinars/detail.html#booking_panel`). The context for them comes from
the webinar app's selectors when it provides them, so the live fragment and the page match.
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
    """The context the webinar detail partials render with, for `user` (None: anonymous)."""
    try:
        from webinars import selectors as webinar_selectors
    except ImportError:  # pragma: no cover - the webinar app always ships selectors
        webinar_selectors = None
    builder = getattr(webinar_selectors, "webinar_live_context", None)
    if builder is not None:
        return builder(webinar=webinar, user=user)
    return {"webinar": webinar, "user": user}


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


def render_booking_panel(registration) -> str:
    user = registration.user
    with timezone.override(user.tzinfo):
        context = _webinar_context(registration.webinar, user)
        return _oob(render_to_string(BOOKING_PANEL_TEMPLATE, context))
