"""The webinar widgets pushed live, registered with notifications.live_fragments.

From the webinar pages' own partials (one template per widget): the public "spots left"
(`webinars/detail.html#spots`, root id `webinar-<id>-spots`), the coach's attendee count
(`webinars/detail.html#attendees`, root id `webinar-<id>-attendees`) and a user's booking
panel (`webinars/detail.html#booking_panel`). Their context comes from `webinar_live_context`,
the selector the page uses, so the live fragment and the page match.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from notifications.live_fragments import oob, push_context, register_live_renderers
from webinars.models import Registration, Webinar
from webinars.selectors import visible_webinar, webinar_live_context

SPOTS_TEMPLATE = "webinars/detail.html#spots"
ATTENDEES_TEMPLATE = "webinars/detail.html#attendees"
BOOKING_PANEL_TEMPLATE = "webinars/detail.html#booking_panel"

# Panel faces worth pushing: the outcome of something that happened elsewhere (the webhook
# confirmed the seat, the hold expired, the payment was refunded). The "pay" and "confirming"
# faces are only ever the answer to the user's own click on this page, which already shows
# them; pushing them would wipe a card being typed and carry no CSRF token (a push has no
# request, so no token can be rendered into its forms).
PUSHED_PANEL_FACES = frozenset({"booked", "book"})  # and a fresh waitlist offer (below)


def load_webinar(webinar_id: int) -> Webinar | None:
    return Webinar.objects.select_related("coach__user").filter(pk=webinar_id).first()


def load_registration(registration_id: int) -> Registration | None:
    return (
        Registration.objects.select_related("user", "webinar__coach__user")
        .filter(pk=registration_id)
        .first()
    )


def _context(webinar: Webinar, user=None) -> dict:
    return {**push_context(user), **webinar_live_context(webinar=webinar, user=user)}


def render_spots(webinar: Webinar) -> str:
    return oob(render_to_string(SPOTS_TEMPLATE, _context(webinar)))


def render_attendees(webinar: Webinar) -> str:
    coach_user = webinar.coach.user
    with timezone.override(coach_user.tzinfo):
        return oob(render_to_string(ATTENDEES_TEMPLATE, _context(webinar, coach_user)))


def render_booking_panel(registration: Registration) -> str:
    """The booker's panel, or "" when its face is not one we push."""
    user = registration.user
    with timezone.override(user.tzinfo):
        context = _context(registration.webinar, user)
        state = context.get("state")
        if state is not None and state.panel not in PUSHED_PANEL_FACES and not _fresh_offer(state):
            return ""
        return oob(render_to_string(BOOKING_PANEL_TEMPLATE, context))


def _fresh_offer(state) -> bool:
    """A waitlist offer just made (issue 15 #4): the person's open page shows it at once. Its
    "Continue to payment" form posts through htmx (the page's CSRF header), and no card is
    being typed yet, so pushing this "pay" face loses nothing."""
    return state.offer is not None and state.registration.payment_id is None


def may_watch_webinar(*, user, webinar_id: int) -> bool:
    """/ws/webinars/<id>/ follows the page: whoever may see the webinar (drafts: its coach
    and staff) may watch its live counts."""
    return visible_webinar(webinar_id=webinar_id, user=user, now=timezone.now()) is not None


def register() -> None:
    register_live_renderers(
        load_webinar=load_webinar,
        load_registration=load_registration,
        render_spots=render_spots,
        render_attendees=render_attendees,
        render_booking_panel=render_booking_panel,
        may_watch_webinar=may_watch_webinar,
    )
