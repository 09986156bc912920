"""What the live pushes render, supplied by the apps that own it.

The notifications app owns the transport (groups, the channel layer, the Celery tasks in
`notifications.live`) and knows no domain app: the webinar and the 1:1 booking apps register
their loaders and renderers here from their AppConfig.ready (`register_live_renderers`), the
way `payments.handlers.register_purpose` works for payments. A hook nobody registered means
there is nothing of that kind to push (loaders answer None, renderers "", watch checks False).

Hooks (LIVE_HOOKS):
- webinars (`webinars/live_renderers.py`): `load_webinar(id)`, `load_registration(id)`,
  `render_spots(webinar)` (root id `webinar-<id>-spots`), `render_attendees(webinar)` (the
  coach's count, `webinar-<id>-attendees`), `render_booking_panel(registration)` ("" for faces
  not worth pushing) and `may_watch_webinar(user=..., webinar_id=...)` (/ws/webinars/<id>/);
- bookings (`bookings/live_renderers.py`): `load_booking(id)`, `render_booking_status(booking)`
  (the client's panel, `booking-<id>-panel`) and `render_open_requests(coach)` (the coach's
  dashboard count and badge).
Renderers use the pages' own template partials, so a live fragment and the page match.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

LIVE_HOOKS = frozenset(
    {
        "load_webinar",
        "load_registration",
        "render_spots",
        "render_attendees",
        "render_booking_panel",
        "may_watch_webinar",
        "load_booking",
        "render_booking_status",
        "render_open_requests",
    }
)

_hooks: dict[str, Callable[..., Any]] = {}


def register_live_renderers(**hooks: Callable[..., Any]) -> None:
    """Register (or replace) loaders and renderers by hook name (see the module docstring)."""
    unknown = set(hooks) - LIVE_HOOKS
    if unknown:
        raise ImproperlyConfigured(f"Unknown live hooks: {', '.join(sorted(unknown))}")
    _hooks.update(hooks)


def _call(name: str, default: Any, *args: Any, **kwargs: Any) -> Any:
    hook = _hooks.get(name)
    return default if hook is None else hook(*args, **kwargs)


def oob(html: str) -> str:
    """Mark the fragment's root for an out-of-band swap (the ws extension swaps by id anyway;
    the attribute keeps the fragment usable in ordinary htmx responses too)."""
    html = html.strip()
    if html.startswith("<") and "hx-swap-oob" not in html.split(">", 1)[0]:
        tag_end = html.index(">")
        self_closing = html[tag_end - 1] == "/"
        insert_at = tag_end - 1 if self_closing else tag_end
        html = html[:insert_at] + ' hx-swap-oob="true"' + html[insert_at:]
    return html


def push_context(user=None) -> dict:
    """What the site's context processor gives a page, for a fragment rendered without a
    request (a push), plus the user it is rendered for (None: anonymous)."""
    from core.context_processors import site

    return {**site(None), "user": user}


# --- the hooks, as notifications.live calls them ------------------------------------------------


def load_webinar(webinar_id: int):
    return _call("load_webinar", None, webinar_id)


def load_registration(registration_id: int):
    return _call("load_registration", None, registration_id)


def coach_user_id(webinar) -> int | None:
    coach = getattr(webinar, "coach", None)
    return getattr(coach, "user_id", None)


def render_spots(webinar) -> str:
    return _call("render_spots", "", webinar)


def render_attendees(webinar) -> str:
    return _call("render_attendees", "", webinar)


def render_booking_panel(registration) -> str:
    return _call("render_booking_panel", "", registration)


def may_watch_webinar(*, user, webinar_id: int) -> bool:
    return bool(_call("may_watch_webinar", False, user=user, webinar_id=webinar_id))


def load_booking(booking_id: int):
    return _call("load_booking", None, booking_id)


def render_booking_status(booking) -> str:
    return _call("render_booking_status", "", booking)


def render_open_requests(coach) -> str:
    return _call("render_open_requests", "", coach)
