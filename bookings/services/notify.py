"""Every booking transition tells the people concerned, through the notifications app, and
updates their open pages live (the client's status panel, the coach's open-request count).

`notify` writes in the caller's transaction and delivers after commit, and the live push is
queued on commit too, so a transition that rolls back tells nobody anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from notifications import live
from notifications.services import notify
from notifications.types import NotificationType

if TYPE_CHECKING:
    from bookings.models import Booking


# event -> [(recipient side, notification type)]
_EVENTS: dict[str, list[tuple[str, str]]] = {
    "requested": [
        ("coach", NotificationType.BOOKING_REQUESTED),
        ("client", NotificationType.BOOKING_REQUEST_SENT),
    ],
    "confirmed": [
        ("client", NotificationType.BOOKING_CONFIRMED),
        ("coach", NotificationType.BOOKING_CONFIRMED),
    ],
    "accepted": [
        ("client", NotificationType.BOOKING_ACCEPTED),
        ("coach", NotificationType.BOOKING_CONFIRMED),
    ],
    "declined": [("client", NotificationType.BOOKING_DECLINED)],
    "expired": [("client", NotificationType.BOOKING_DECLINED)],
    "time_suggested": [("client", NotificationType.BOOKING_TIME_SUGGESTED)],
    "suggestion_accepted": [
        ("client", NotificationType.BOOKING_CONFIRMED),
        ("coach", NotificationType.BOOKING_CONFIRMED),
    ],
    "suggestion_declined": [("coach", NotificationType.BOOKING_DECLINED)],
    "withdrawn": [("coach", NotificationType.BOOKING_WITHDRAWN)],
    "cancelled_by_client": [
        ("coach", NotificationType.BOOKING_CANCELLED_BY_CLIENT),
        ("client", NotificationType.BOOKING_CANCELLED_BY_CLIENT),
    ],
    "cancelled_by_coach": [("client", NotificationType.BOOKING_CANCELLED_BY_COACH)],
    "rescheduled": [
        ("coach", NotificationType.BOOKING_RESCHEDULED),
        ("client", NotificationType.BOOKING_RESCHEDULED),
    ],
}


def booking_event(booking: Booking, event: str, **context: Any) -> None:
    live.booking_changed(booking_id=booking.pk)
    context.setdefault("client_name", booking.person_name)
    context.setdefault("link", booking.get_absolute_url())
    for side, notification_type in _EVENTS[event]:
        if side == "client" and booking.client_id is None:
            _tell_guest(booking, notification_type, context)
            continue
        recipient = booking.client if side == "client" else booking.coach.user
        notify(recipient=recipient, type=notification_type, target=booking, context=dict(context))


def _tell_guest(booking: Booking, notification_type: str, context: dict[str, Any]) -> None:
    """A guest (no account) hears by email only, through the outbox like everyone, with the
    signed link to view, cancel, reschedule or claim the booking instead of the booking page."""
    from bookings.models import Booking

    if booking.source != Booking.Source.GUEST:
        return
    from bookings.guest_links import manage_path
    from notifications.services import notify_email

    notify_email(
        to_email=booking.guest_email,
        name=booking.guest_name,
        timezone_name=booking.timezone,
        type=notification_type,
        target=booking,
        context=dict(context),
        link=manage_path(booking),
    )
