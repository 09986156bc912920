"""Words for 1:1 session notifications: reminders, requests, confirmations, changes."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from notifications.catalog.base import (
    HIGH,
    NORMAL,
    Content,
    Spec,
    context_name,
    money,
    paid_sentence,
    session_details,
    when,
)
from notifications.targets import TargetInfo
from notifications.types import NotificationCategory as Cat
from notifications.types import NotificationType as T

# --- reminders ----------------------------------------------------------------------------


def _session_reminder(recipient, info, context):
    lead = context.get("lead", "soon")
    if isinstance(context.get("starts_at"), datetime) and context["starts_at"] != info.starts_at:
        # One slot of a multi-slot webinar: remind of that slot's time, not the first one's.
        info = replace(info, starts_at=context["starts_at"], ends_at=context.get("ends_at"))
    details = session_details(info)
    if info.join_url:
        details.append(("Join link", info.join_url))
    return Content(
        title=f"Reminder: {info.title} starts in {lead}",
        body=f"{info.title} starts {when(info.starts_at)}.",
        link=info.link,
        cta_label="Open",
        details=details,
    )


# --- 1:1 bookings -------------------------------------------------------------------------


def _booking_requested(recipient, info, context):
    client = context_name(context, "client_name", info.other_party_name)
    return Content(
        title=f"New booking request from {client}",
        body=f"{client} asked for {info.title} on {when(info.starts_at)}. "
        "Accept, decline or suggest another time.",
        link=info.link,
        cta_label="Review the request",
        details=session_details(info) + [("Client", client)],
    )


def _booking_withdrawn(recipient, info, context):
    client = context_name(context, "client_name", info.other_party_name)
    return Content(
        title=f"Request withdrawn: {info.title}",
        body=f"{client} withdrew their request for {info.title} on {when(info.starts_at)}. "
        "The time is free on your calendar again and nothing was charged.",
        link=info.link,
        cta_label="See the booking",
        details=session_details(info) + [("Client", client)],
    )


def _booking_request_sent(recipient, info, context):
    coach = info.coach_name or "the coach"
    charge = (
        f" Your card is authorized for {money(info.amount, info.currency)} and only charged if "
        f"{coach} accepts."
        if info.amount
        else ""
    )
    return Content(
        title=f"Request sent: {info.title}",
        body=f"Your request for {when(info.starts_at)} was sent to {coach}.{charge} "
        "We will tell you when they answer.",
        link=info.link,
        cta_label="View your request",
        details=session_details(info),
    )


def _join(info: TargetInfo) -> tuple[str, list[tuple[str, str]]]:
    """The meeting link sentence and detail row, for notices of a confirmed session."""
    if not info.join_url:
        return "", []
    return f" Join here: {info.join_url}", [("Join link", info.join_url)]


def _is_client(recipient, info) -> bool:
    return info.extra.get("client_id") == getattr(recipient, "pk", None)


def _client_paid(recipient, info) -> tuple[str, list[tuple[str, str]]]:
    """The payer's sentence and detail row for the amount paid (nothing for the coach)."""
    if not (_is_client(recipient, info) and info.amount_paid):
        return "", []
    return " " + paid_sentence(info).strip(), [("Paid", money(info.amount_paid, info.currency))]


def _booking_confirmed(recipient, info, context):
    paid, paid_details = _client_paid(recipient, info)
    join, join_details = _join(info)
    if not _is_client(recipient, info):  # the coach: whom the session is with
        client = context_name(context, "client_name", info.other_party_name)
        return Content(
            title=f"Booked: {info.title} with {client}",
            body=f"{client}'s session {info.title} on {when(info.starts_at)} is confirmed." + join,
            link=info.link,
            cta_label="View booking",
            details=session_details(info) + [("Client", client)] + join_details,
        )
    return Content(
        title=f"Booked: {info.title}",
        body=f"Your session {info.title} on {when(info.starts_at)} is confirmed.{paid}{join}",
        link=info.link,
        cta_label="View booking",
        details=session_details(info) + paid_details + join_details,
    )


def _booking_accepted(recipient, info, context):
    paid, paid_details = _client_paid(recipient, info)
    coach = info.coach_name or "Your coach"
    join, join_details = _join(info)
    return Content(
        title=f"Accepted: {info.title}",
        body=f"{coach} accepted your request for {when(info.starts_at)}.{paid}{join}",
        link=info.link,
        cta_label="View booking",
        details=session_details(info) + paid_details + join_details,
    )


def _booking_declined(recipient, info, context):
    message = context.get("message") or context.get("reason") or ""
    return Content(
        title=f"Declined: {info.title}",
        body=f"{info.coach_name or 'The coach'} could not take your request for "
        f"{when(info.starts_at)}." + (f" Message: {message}" if message else ""),
        link=info.link,
        cta_label="Find another time",
        details=session_details(info),
    )


def _booking_time_suggested(recipient, info, context):
    suggested = context.get("suggested_start")
    suggested_text = when(suggested) if isinstance(suggested, datetime) else str(suggested or "")
    message = context.get("message", "")
    by = context_name(context, "suggested_by", info.coach_name)
    return Content(
        title=f"New time suggested for {info.title}",
        body=f"{by} suggested {suggested_text or 'another time'} instead of "
        f"{when(info.starts_at)}." + (f" Message: {message}" if message else ""),
        link=info.link,
        cta_label="Answer the suggestion",
        details=[("Suggested", suggested_text)] + session_details(info),
    )


def _booking_cancelled(by_whom: str):
    def build(recipient, info, context):
        reason = context.get("reason", "")
        refund = money(context.get("refund_amount"), info.currency)
        canceller_is_recipient = by_whom == "client" and info.extra.get("client_id") == recipient.pk
        who = (
            "You"
            if canceller_is_recipient
            else context_name(
                context,
                "cancelled_by_name",
                info.coach_name if by_whom == "coach" else info.other_party_name,
            )
        )
        body = f"{who} cancelled {info.title} on {when(info.starts_at)}."
        if reason:
            body += f" Reason: {reason}"
        if refund:
            body += f" A refund of {refund} is on its way."
        return Content(
            title=f"Cancelled: {info.title}",
            body=body,
            link=info.link,
            details=session_details(info) + ([("Refund", refund)] if refund else []),
        )

    return build


def _booking_rescheduled(recipient, info, context):
    previous = context.get("previous_start")
    join, join_details = _join(info)
    return Content(
        title=f"Moved: {info.title}",
        body=f"{info.title} now takes place {when(info.starts_at)}"
        + (f" (was {when(previous)})." if isinstance(previous, datetime) else ".")
        + join,
        link=info.link,
        cta_label="View booking",
        details=session_details(info) + join_details,
    )


# Accepted, declined, expired (told as declined), a time suggested or the request withdrawn:
# the coach's "new booking request" is no longer waiting for them.
_ANSWERS_A_REQUEST = frozenset({T.BOOKING_REQUESTED})


SPECS: dict[str, Spec] = {
    T.SESSION_REMINDER: Spec(Cat.REMINDER, NORMAL, _session_reminder),
    T.BOOKING_REQUESTED: Spec(Cat.BOOKING, HIGH, _booking_requested),
    T.BOOKING_REQUEST_SENT: Spec(Cat.BOOKING, NORMAL, _booking_request_sent),
    T.BOOKING_CONFIRMED: Spec(
        Cat.BOOKING, HIGH, _booking_confirmed, "REQUEST", resolves=_ANSWERS_A_REQUEST
    ),
    T.BOOKING_ACCEPTED: Spec(
        Cat.BOOKING, HIGH, _booking_accepted, "REQUEST", resolves=_ANSWERS_A_REQUEST
    ),
    T.BOOKING_DECLINED: Spec(Cat.BOOKING, NORMAL, _booking_declined, resolves=_ANSWERS_A_REQUEST),
    T.BOOKING_TIME_SUGGESTED: Spec(
        Cat.BOOKING, HIGH, _booking_time_suggested, resolves=_ANSWERS_A_REQUEST
    ),
    T.BOOKING_CANCELLED_BY_CLIENT: Spec(
        Cat.BOOKING, HIGH, _booking_cancelled("client"), "CANCEL", resolves=_ANSWERS_A_REQUEST
    ),
    T.BOOKING_CANCELLED_BY_COACH: Spec(Cat.BOOKING, HIGH, _booking_cancelled("coach"), "CANCEL"),
    T.BOOKING_RESCHEDULED: Spec(Cat.BOOKING, HIGH, _booking_rescheduled, "REQUEST"),
    T.BOOKING_WITHDRAWN: Spec(Cat.BOOKING, NORMAL, _booking_withdrawn, resolves=_ANSWERS_A_REQUEST),
}
