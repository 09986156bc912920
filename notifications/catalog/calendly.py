"""Calendly bookings (issue 17): no calendar invite (Calendly sends its own invitations), and
the words link to Calendly's own cancel and reschedule pages."""

from __future__ import annotations

from notifications.catalog.base import (
    HIGH,
    Content,
    Spec,
    context_name,
    session_details,
    when,
)
from notifications.types import NotificationCategory, NotificationType


def _calendly_links(context: dict) -> list[tuple[str, str]]:
    links = []
    if context.get("reschedule_url"):
        links.append(("Reschedule on Calendly", str(context["reschedule_url"])))
    if context.get("cancel_url"):
        links.append(("Cancel on Calendly", str(context["cancel_url"])))
    return links


def _calendly_booking(verb: str, coach_sentence: str, client_sentence: str):
    def build(recipient, info, context):
        client = context_name(context, "client_name", info.other_party_name)
        is_client = context.get("client_id") == getattr(recipient, "pk", None)
        sentence = client_sentence if is_client else coach_sentence
        body = sentence.format(title=info.title, client=client, when=when(info.starts_at))
        if is_client and _calendly_links(context):
            body += " To change it, use Calendly's links below."
        reason = str(context.get("reason") or "")
        return Content(
            title=f"{verb}: {info.title}" + ("" if is_client else f" with {client}"),
            body=body + (f" Reason: {reason}" if reason else ""),
            link=info.link,
            cta_label="View booking",
            details=session_details(info)
            + ([] if is_client else [("Client", client)])
            + _calendly_links(context),
        )

    return build


def _calendly_booking_conflict(recipient, info, context):
    client = context_name(context, "client_name", info.other_party_name)
    return Content(
        title=f"Double booking: {info.title} with {client} (Calendly)",
        body=f"{client} booked {when(info.starts_at)} on Calendly, but that time is already "
        "taken here. We kept the Calendly booking (it does not block your calendar): move or "
        "cancel one of them.",
        link=info.link,
        cta_label="View booking",
        details=session_details(info) + [("Client", client)] + _calendly_links(context),
    )


def _calendly_subscription_disabled(recipient, info, context):
    return Content(
        title="Calendly stopped sending us your bookings",
        body="Your Calendly webhook is no longer active, so new Calendly bookings do not reach "
        "your calendar here. Connect Calendly again on the integrations page. "
        + str(context.get("reason") or ""),
        link=str(context.get("link") or "/coach/integrations/"),
        cta_label="Open integrations",
    )


SPECS: dict[str, Spec] = {
    NotificationType.CALENDLY_BOOKING_CREATED: Spec(
        NotificationCategory.BOOKING,
        HIGH,
        _calendly_booking(
            "Booked via Calendly",
            "{client} booked {title} on {when} on your Calendly page.",
            "Your session {title} on {when} (booked on Calendly) is confirmed.",
        ),
    ),
    NotificationType.CALENDLY_BOOKING_RESCHEDULED: Spec(
        NotificationCategory.BOOKING,
        HIGH,
        _calendly_booking(
            "Moved via Calendly",
            "{client} moved {title} to {when} on Calendly.",
            "Your session {title} now takes place {when} (moved on Calendly).",
        ),
    ),
    NotificationType.CALENDLY_BOOKING_CANCELLED: Spec(
        NotificationCategory.BOOKING,
        HIGH,
        _calendly_booking(
            "Cancelled via Calendly",
            "{client}'s session {title} on {when} was cancelled on Calendly.",
            "Your session {title} on {when} was cancelled on Calendly.",
        ),
    ),
    NotificationType.CALENDLY_BOOKING_CONFLICT: Spec(
        NotificationCategory.BOOKING, HIGH, _calendly_booking_conflict
    ),
    NotificationType.CALENDLY_SUBSCRIPTION_DISABLED: Spec(
        NotificationCategory.ACCOUNT, HIGH, _calendly_subscription_disabled
    ),
}
