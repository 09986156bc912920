"""What each notification type says, how urgent it is, and which invite it carries.

One entry per `NotificationType`. A builder turns (recipient, target facts, context) into the
words people read; the same words go to the bell, the notifications page and the email.
Times are formatted in the recipient's timezone by the caller (`timezone.override`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from notifications.targets import TargetInfo
from notifications.types import NotificationCategory as Cat
from notifications.types import NotificationType as T
from payments.money import format_money

IN_APP = "in_app"
EMAIL = "email"
ALL_CHANNELS = frozenset({IN_APP, EMAIL})


@dataclass
class Content:
    title: str
    body: str
    link: str = ""
    cta_label: str = "View details"
    details: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Spec:
    category: str
    priority: str
    build: Callable[[object, TargetInfo, dict], Content]
    ics_method: str = ""  # "REQUEST" attaches an invite, "CANCEL" a cancellation
    email_mandatory: bool = False  # money moved: the email cannot be switched off
    # Notices about the same target that this one settles (an answered request is no longer
    # something to act on): `notify` marks them read for whoever received them.
    resolves: frozenset[str] = frozenset()


def when(value: datetime | None) -> str:
    """`Mon 12 Jan 2026, 18:00 CET` in the active (recipient's) timezone."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return local.strftime("%a %d %b %Y, %H:%M ") + (local.tzname() or "")


def money(amount, currency: str) -> str:
    if amount is None or not currency:
        return ""
    return format_money(Decimal(amount), currency)


def _session_details(info: TargetInfo) -> list[tuple[str, str]]:
    details = []
    if info.starts_at:
        details.append(("When", when(info.starts_at)))
    if info.ends_at:
        details.append(("Until", when(info.ends_at)))
    if info.coach_name:
        details.append(("Coach", info.coach_name))
    return details


def _name(context: dict, key: str, fallback: str) -> str:
    return str(context.get(key) or fallback or "Someone")


# --- webinars -----------------------------------------------------------------------------


def _paid_sentence(info: TargetInfo) -> str:
    """ "We received your payment of CHF 120.00." when money was actually taken."""
    paid = money(info.amount_paid, info.currency) if info.amount_paid else ""
    return f"We received your payment of {paid}. " if paid else ""


def _webinar_booking_confirmed(recipient, info, context):
    details = _session_details(info)
    if info.amount_paid:
        details.append(("Paid", money(info.amount_paid, info.currency)))
    join_url = str(context.get("join_url") or info.join_url)
    if join_url:
        details.append(("Join link", join_url))
    when_text = f" on {when(info.starts_at)}" if info.starts_at else ""
    body = f"{_paid_sentence(info)}Your seat for {info.title}{when_text} is confirmed."
    if join_url:
        body += f" Join the webinar here: {join_url}"
        body += " (the link and the materials are also on the webinar page and in My Bookings)."
    return Content(
        title=f"You're booked: {info.title}",
        body=body,
        link=info.link,
        cta_label="Open the webinar",
        details=details,
    )


def _webinar_new_attendee(recipient, info, context):
    attendee = _name(context, "attendee_name", info.other_party_name)
    count, maximum = context.get("count"), context.get("max")
    seats = f" {count} of {maximum} seats are now taken." if count is not None and maximum else ""
    return Content(
        title=f"New attendee for {info.title}",
        body=f"{attendee} booked {info.title}.{seats}",
        link=info.link,
        cta_label="See attendees",
        details=_session_details(info)
        + ([("Seats taken", f"{count} / {maximum}")] if seats else []),
    )


def _webinar_booking_failed_full(recipient, info, context):
    refund = money(context.get("refund_amount", info.amount), info.currency)
    reason = context.get("reason") or (
        "The last seat was taken while your payment was being processed."
    )
    return Content(
        title=f"{info.title} is full: your payment was refunded",
        body=f"{reason} We have refunded {refund or 'your payment'} in full; "
        "depending on your bank it appears within 5-10 business days.",
        link=info.link,
        cta_label="See other dates",
        details=[("Refund", refund)] if refund else [],
    )


def _webinar_rescheduled(recipient, info, context):
    previous, new_start = context.get("previous_start"), context.get("new_start")
    new_text = when(new_start) if isinstance(new_start, datetime) else when(info.starts_at)
    was = f" (was {when(previous)})" if isinstance(previous, datetime) else ""
    join_url = str(context.get("join_url") or info.join_url)
    details = _session_details(info)
    if join_url:
        details.append(("Join link", join_url))
    return Content(
        title=f"New date: {info.title}",
        body=f"A session of {info.title} now takes place {new_text}{was}. Your seat stays "
        "booked; if the new date does not suit you, contact the coach.",
        link=info.link,
        cta_label="Open the webinar",
        details=details,
    )


def _webinar_cancelled(recipient, info, context):
    reason = str(context.get("reason") or "").strip()
    refund = money(context.get("refund_amount"), info.currency)
    on_date = f" on {when(info.starts_at)}" if info.starts_at else ""
    if context.get("for_coach"):
        return _webinar_cancelled_for_coach(info, context, on_date, reason)
    hold_released = bool(context.get("hold_released"))
    by = {True: " by the platform team", False: " by the coach"}.get(context.get("by_staff"), "")
    body = f"{info.title}{on_date} has been cancelled{by}."
    if reason:
        body += f" Reason: {reason}"
    if refund and context.get("late_payment"):
        body += f" Your payment of {refund} arrived after the cancellation and is refunded in full"
        body += "; depending on your bank it appears within 5-10 business days."
    elif refund:
        body += f" Your payment of {refund} is refunded in full"
        body += "; depending on your bank it appears within 5-10 business days."
    elif hold_released:
        body += " The seat you were holding is released and nothing is charged."
    return Content(
        title=f"Cancelled: {info.title}",
        body=body,
        # The attendee's next step is another webinar: the list, not the cancelled one's page.
        link=reverse("webinars:list"),
        cta_label="See other webinars",
        details=_session_details(info) + ([("Refund", refund)] if refund else []),
    )


def _webinar_cancelled_for_coach(info, context, on_date, reason):
    refunded = int(context.get("refund_count") or 0)
    total = money(context.get("refund_total"), info.currency)
    who = "You" if not context.get("by_staff") else "The platform team"
    body = f"{who} cancelled {info.title}{on_date}."
    if reason:
        body += f" Reason: {reason}"
    if refunded:
        people = "attendee is" if refunded == 1 else "attendees are"
        body += f" {refunded} {people} refunded {total} in total and told by email."
    else:
        body += " No paid attendees had to be refunded."
    return Content(
        title=f"Cancelled: {info.title}",
        body=body,
        link=info.link,
        cta_label="Your webinars",
        details=_session_details(info)
        + ([("Refunded", f"{refunded} / {total}")] if refunded else []),
    )


def _webinar_seat_cancelled(recipient, info, context):
    refund = money(context.get("refund_amount"), info.currency)
    on_date = f" on {when(info.starts_at)}" if info.starts_at else ""
    body = f"You cancelled your seat for {info.title}{on_date}."
    if refund and Decimal(str(context.get("refund_amount"))) > 0:
        body += f" {refund} is refunded to your card"
        body += "; depending on your bank it appears within 5-10 business days."
    else:
        body += " No refund applies."
    explanation = str(context.get("explanation") or "")
    if explanation:
        body += f" ({explanation})"
    return Content(
        title=f"Seat cancelled: {info.title}",
        body=body,
        link=info.link,
        cta_label="Open the webinar",
        details=_session_details(info) + ([("Refund", refund)] if refund else []),
    )


def _webinar_attendee_cancelled(recipient, info, context):
    attendee = _name(context, "attendee_name", info.other_party_name)
    count, maximum = context.get("count"), context.get("max")
    body = f"{attendee} cancelled their seat for {info.title}."
    if count is not None and maximum:
        body += f" {count} of {maximum} seats are now taken."
    if context.get("below_minimum"):
        body += (
            f" That is below your minimum of {context.get('min')}: the webinar is waiting for "
            "the minimum attendees again."
        )
    return Content(
        title=f"Seat cancelled for {info.title}",
        body=body,
        link=info.link,
        cta_label="See the webinar",
        details=_session_details(info) + [("Attendee", attendee)],
    )


def _webinar_waitlist_offer(recipient, info, context):
    until = context.get("offer_expires_at")
    until_text = when(until) if isinstance(until, datetime) else str(until or "")
    price = money(context.get("amount"), context.get("currency") or info.currency)
    body = f"A seat for {info.title} is free and held for you"
    body += f" until {until_text}." if until_text else "."
    if price and Decimal(str(context.get("amount"))) > 0:
        body += f" Pay {price} on the webinar page to take it."
    else:
        body += " Confirm it on the webinar page to take it."
    body += " If you do not, it goes to the next person on the waitlist."
    return Content(
        title=f"A seat is free for you: {info.title}",
        body=body,
        link=info.link,
        cta_label="Take the seat",
        details=_session_details(info) + ([("Held until", until_text)] if until_text else []),
    )


# --- payments -----------------------------------------------------------------------------


def _payment_received(recipient, info, context):
    amount = money(info.amount, info.currency)
    if context.get("for_coach"):
        payer = _name(context, "payer_name", info.other_party_name)
        details = [("Amount", amount), ("From", payer), ("For", info.title)]
        share = money(context.get("coach_share"), info.currency)
        if share:
            details.append(("Your share after the platform fee", share))
        return Content(
            title=f"Payment received: {amount}",
            body=f"{payer} paid {amount} for {info.title}.",
            link=info.link,
            details=details + _session_details(info),
        )
    return Content(
        title=f"Payment received: {amount}",
        body=f"Thank you. We received your payment of {amount} for {info.title}.",
        link=info.link,
        cta_label="View booking",
        details=[("Amount", amount), ("For", info.title)] + _session_details(info),
    )


def _payment_failed(recipient, info, context):
    amount = money(info.amount, info.currency)
    reason = context.get("reason") or "Your bank declined the payment."
    return Content(
        title=f"Payment failed for {info.title}",
        body=f"We could not take {amount or 'your payment'} for {info.title}. {reason} "
        "Nothing was charged; you can try again with another card.",
        link=info.link,
        cta_label="Try again",
        details=[("Amount", amount), ("Reason", reason)] if amount else [("Reason", reason)],
    )


def _payment_refunded(recipient, info, context):
    refund = money(context.get("refund_amount", info.amount_refunded), info.currency)
    # `reason` is the payments core's note for the ledger and Stripe ("Booking 12: Cancelled
    # by client"); people only read `public_reason`, words a producer wrote for them.
    reason = str(context.get("public_reason") or "").strip().rstrip(".")
    return Content(
        title=f"Refund of {refund} for {info.title}",
        body=f"We refunded {refund} for {info.title}."
        + (f" {reason}." if reason else "")
        + " Depending on your bank it appears within 5-10 business days.",
        link=info.link,
        details=[("Refund", refund), ("For", info.title)],
    )


def _payout_settlement_advice(recipient, info, context):
    total = money(context.get("total"), context.get("currency", info.currency))
    return Content(
        title=f"Payout of {total} sent to your Stripe account",
        body=f"We transferred {total} to your Stripe account. Your settlement advice lists "
        "every booking, refund and deduction.",
        link=info.link,
        cta_label="Download the settlement advice",
        details=[("Transferred", total)],
    )


def _payout_failed(recipient, info, context):
    return Content(
        title=f"Payout failed: {info.title}",
        body=f"A transfer to a coach failed after every retry: {context.get('error', '')}. "
        "See Payout items in the admin.",
        link=info.link,
        details=[("Coach", str(context.get("coach", "")))],
    )


def _dispute_details(context) -> list:
    details = [("Amount", money(context.get("amount"), context.get("currency", "CHF")))]
    if context.get("purchase"):
        details.append(("Bought", str(context["purchase"])))
    if context.get("reason"):
        details.append(("Reason", str(context["reason"]).replace("_", " ")))
    if context.get("due_by"):
        details.append(("Evidence due by", str(context["due_by"])[:16].replace("T", " ")))
    return details


def _dispute_opened(recipient, info, context):
    return Content(
        title="A client disputed a payment",
        body="The coach's payout for it is frozen. Stage the evidence and submit it before "
        "the due date, or accept the dispute.",
        link=info.link,
        cta_label="Open the dispute",
        details=_dispute_details(context),
    )


def _dispute_due_soon(recipient, info, context):
    return Content(
        title="Dispute evidence due soon",
        body="No evidence has been submitted for this dispute yet. After the due date the "
        "dispute is lost.",
        link=info.link,
        cta_label="Open the dispute",
        details=_dispute_details(context),
    )


def _dispute_closed(recipient, info, context):
    outcome = "won" if context.get("outcome") == "won" else "lost"
    return Content(
        title=f"Dispute {outcome}",
        body="The coach keeps their share; any freeze is lifted."
        if outcome == "won"
        else "The money went back to the client; the loss is allocated by the dispute policy.",
        link=info.link,
        details=_dispute_details(context),
    )


def _refund_request_details(context) -> list:
    details = [("Amount", money(context.get("amount"), context.get("currency", "CHF")))]
    if context.get("purchase"):
        details.append(("For", str(context["purchase"])))
    if context.get("status"):
        details.append(("Status", str(context["status"])))
    return details


def _refund_request(title_client: str, title_coach: str, body_client: str, body_coach: str):
    def build(recipient, info, context):
        coach = context.get("role") == "coach"
        body = body_coach if coach else body_client
        if context.get("decline_reason"):
            body += f" The coach's reason: {context['decline_reason']}"
        if context.get("note"):
            body += f" Staff's note: {context['note']}"
        if coach and context.get("due_at") and "{due}" in body:
            body = body.replace("{due}", when(context["due_at"]))
        return Content(
            title=title_coach if coach else title_client,
            body=body.replace("{due}", "the deadline"),
            link=info.link,
            cta_label="Open the request",
            details=_refund_request_details(context),
        )

    return build


_refund_request_opened = _refund_request(
    "Your refund request was sent",
    "A client asked for a refund",
    "The coach answers first; if they decline or do not answer in time, staff decide.",
    "Approve it in full, approve part, or decline with a reason by {due}; after that staff decide.",
)
_refund_request_approved = _refund_request(
    "Your refund was approved",
    "You approved a refund",
    "The money goes back to your card; a credit note follows.",
    "Your share of this payout is reduced in proportion.",
)
_refund_request_declined = _refund_request(
    "Your refund request was declined",
    "You declined a refund request",
    "You can escalate it to our staff from the request page.",
    "The client may escalate it to staff.",
)
_refund_request_escalated = _refund_request(
    "Your refund request is with our staff",
    "A refund request went to staff",
    "Staff review the thread and decide; their decision is final.",
    "Staff review the thread and decide; their decision is final.",
)
_refund_request_resolved = _refund_request(
    "Staff decided on your refund request",
    "Staff decided on a refund request",
    "This decision is final.",
    "This decision is final.",
)
_refund_request_message = _refund_request(
    "New message on your refund request",
    "New message on a refund request",
    "Open the request to read and answer it.",
    "Open the request to read and answer it.",
)


# --- reminders ----------------------------------------------------------------------------


def _session_reminder(recipient, info, context):
    lead = context.get("lead", "soon")
    if isinstance(context.get("starts_at"), datetime) and context["starts_at"] != info.starts_at:
        # One slot of a multi-slot webinar: remind of that slot's time, not the first one's.
        info = replace(info, starts_at=context["starts_at"], ends_at=context.get("ends_at"))
    details = _session_details(info)
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
    client = _name(context, "client_name", info.other_party_name)
    return Content(
        title=f"New booking request from {client}",
        body=f"{client} asked for {info.title} on {when(info.starts_at)}. "
        "Accept, decline or suggest another time.",
        link=info.link,
        cta_label="Review the request",
        details=_session_details(info) + [("Client", client)],
    )


def _booking_withdrawn(recipient, info, context):
    client = _name(context, "client_name", info.other_party_name)
    return Content(
        title=f"Request withdrawn: {info.title}",
        body=f"{client} withdrew their request for {info.title} on {when(info.starts_at)}. "
        "The time is free on your calendar again and nothing was charged.",
        link=info.link,
        cta_label="See the booking",
        details=_session_details(info) + [("Client", client)],
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
        details=_session_details(info),
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
    return " " + _paid_sentence(info).strip(), [("Paid", money(info.amount_paid, info.currency))]


def _booking_confirmed(recipient, info, context):
    paid, paid_details = _client_paid(recipient, info)
    join, join_details = _join(info)
    if not _is_client(recipient, info):  # the coach: whom the session is with
        client = _name(context, "client_name", info.other_party_name)
        return Content(
            title=f"Booked: {info.title} with {client}",
            body=f"{client}'s session {info.title} on {when(info.starts_at)} is confirmed." + join,
            link=info.link,
            cta_label="View booking",
            details=_session_details(info) + [("Client", client)] + join_details,
        )
    return Content(
        title=f"Booked: {info.title}",
        body=f"Your session {info.title} on {when(info.starts_at)} is confirmed.{paid}{join}",
        link=info.link,
        cta_label="View booking",
        details=_session_details(info) + paid_details + join_details,
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
        details=_session_details(info) + paid_details + join_details,
    )


def _booking_declined(recipient, info, context):
    message = context.get("message") or context.get("reason") or ""
    return Content(
        title=f"Declined: {info.title}",
        body=f"{info.coach_name or 'The coach'} could not take your request for "
        f"{when(info.starts_at)}." + (f" Message: {message}" if message else ""),
        link=info.link,
        cta_label="Find another time",
        details=_session_details(info),
    )


def _booking_time_suggested(recipient, info, context):
    suggested = context.get("suggested_start")
    suggested_text = when(suggested) if isinstance(suggested, datetime) else str(suggested or "")
    message = context.get("message", "")
    by = _name(context, "suggested_by", info.coach_name)
    return Content(
        title=f"New time suggested for {info.title}",
        body=f"{by} suggested {suggested_text or 'another time'} instead of "
        f"{when(info.starts_at)}." + (f" Message: {message}" if message else ""),
        link=info.link,
        cta_label="Answer the suggestion",
        details=[("Suggested", suggested_text)] + _session_details(info),
    )


def _booking_cancelled(by_whom: str):
    def build(recipient, info, context):
        reason = context.get("reason", "")
        refund = money(context.get("refund_amount"), info.currency)
        canceller_is_recipient = by_whom == "client" and info.extra.get("client_id") == recipient.pk
        who = (
            "You"
            if canceller_is_recipient
            else _name(
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
            details=_session_details(info) + ([("Refund", refund)] if refund else []),
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
        details=_session_details(info) + join_details,
    )


# --- connections --------------------------------------------------------------------------


def _connection_requested(recipient, info, context):
    who = _name(context, "requester_name", "")
    return Content(
        title=f"{who} wants to connect",
        body=f"{who} asked to connect with you.",
        link=context.get("link", info.link),
    )


def _connection_accepted(recipient, info, context):
    who = _name(context, "accepter_name", "")
    return Content(
        title=f"{who} accepted your connection",
        body=f"You are now connected with {who}.",
        link=context.get("link", info.link),
    )


def _welcome(recipient, info, context):
    name = getattr(recipient, "first_name", "") or getattr(recipient, "display_name", "")
    body = "Your account is ready. Find a coach and book a 1:1 session or a live webinar."
    details = [("Your time zone", str(getattr(recipient, "timezone", "") or ""))]
    if getattr(recipient, "is_coach", False):
        body += (
            " You signed up as a coach: complete your profile (headline, bio, hourly rate) and "
            "manage your sessions and webinars in the coach admin."
        )
        details += [("Your profile", f"{settings.SITE_URL}/accounts/profile/")]
        details += [("Coach admin", f"{settings.SITE_URL}/admin/")]
    body += " Times on the site are shown in your time zone; change it on your profile."
    return Content(
        title=f"Welcome to Coaching Platform, {name}".rstrip(", "),
        body=body,
        link="/",
        cta_label="Find a coach",
        details=details,
    )


def _email_verify(recipient, info, context):
    address = str(context.get("email") or getattr(recipient, "email", ""))
    return Content(
        title="Confirm your email address",
        body=(
            f"Please confirm that {address} is your email address. The link is valid for "
            f"{context.get('valid_days', 3)} days."
            + (
                " Your account keeps its current address until you confirm the new one."
                if context.get("change")
                else ""
            )
        ),
        link=str(context["link"]),
        cta_label="Confirm my email address",
    )


def _password_reset(recipient, info, context):
    return Content(
        title="Reset your password",
        body=(
            "Someone (hopefully you) asked to reset the password of your account. The link "
            f"works once and for {context.get('valid_hours', 1)} hour(s). If it was not you, "
            "ignore this email: your password stays as it is."
        ),
        link=str(context["link"]),
        cta_label="Choose a new password",
    )


def _password_changed(recipient, info, context):
    return Content(
        title="Your password was changed",
        body=(
            "The password of your account was just changed. If that was not you, reset it now "
            "from the login page and tell us."
        ),
        link="/accounts/password_reset/",
        cta_label="Reset my password",
    )


def _email_changed(recipient, info, context):
    return Content(
        title="Your email address was changed",
        body=(
            f"Your account now uses {context.get('new_email', '')}; this address gets no more "
            "emails from us. If that was not you, contact support."
        ),
        link="/accounts/settings/",
        cta_label="Account settings",
    )


def _account_warning(recipient, info, context):
    reason = str(context.get("reason") or "").strip()
    return Content(
        title="A warning about your account",
        body=(
            (f"{reason} " if reason else "")
            + "Please follow the platform's rules: if this goes on, your account may be hidden "
            "from search or suspended. If you think this is a mistake, contact support."
        ),
        link="/",
        cta_label="Open Coaching Platform",
    )


def _account_suspended(recipient, info, context):
    reason = str(context.get("reason") or "").strip()
    until = context.get("until")
    if until:
        end = when(datetime.fromisoformat(str(until)))
        title = f"Your account is suspended until {end}"
    else:
        title = "Your account is banned"
    body = (
        (f"Reason: {reason}. " if reason else "")
        + "You can still log in, but you cannot book, register for webinars or sell sessions. "
        "Your open holds and requests were released; sessions and webinars you were to give "
        "are cancelled and their clients refunded in full. If you think this is a mistake, "
        "contact support."
    )
    return Content(title=title, body=body, link="/", cta_label="Open Coaching Platform")


def _account_restored(recipient, info, context):
    return Content(
        title="Your account is restored",
        body="The restriction on your account was lifted: you can book and sell again.",
        link="/",
        cta_label="Open Coaching Platform",
    )


# --- moderation (issue 18 #3) ---------------------------------------------------------------


def _moderation_reason(context) -> tuple[str, list[tuple[str, str]]]:
    reason = str(context.get("reason") or "")
    return (f" Reason: {reason}" if reason else ""), ([("Reason", reason)] if reason else [])


def _moderation_content_hidden(recipient, info, context):
    reason, details = _moderation_reason(context)
    what = str(context.get("target_label") or "Your content")
    return Content(
        title="Your content was hidden",
        body=f"Our moderation team hid {what}: it no longer appears to other people.{reason} "
        "Reply to this email if you think this is a mistake.",
        link=str(context.get("link") or "/"),
        cta_label="Open the site",
        details=details,
    )


def _moderation_restored(recipient, info, context):
    what = str(context.get("target_label") or "your account")
    return Content(
        title="A moderation decision was reversed",
        body=f"Our moderation team reversed its earlier decision about {what}.",
        link=str(context.get("link") or "/"),
        cta_label="Open the site",
    )


def _moderation_report_reviewed(recipient, info, context):
    # Deliberately says nothing about the outcome: what happened to someone else's account
    # or content is theirs to know.
    return Content(
        title="We reviewed your report",
        body="Thank you for your report. Our moderation team reviewed it and took the steps "
        "it considers right. We do not share the details of decisions about other people.",
        link="/",
        cta_label="Open the site",
    )


HIGH, NORMAL, LOW = "high", "normal", "low"
# Accepted, declined, expired (told as declined), a time suggested or the request withdrawn:
# the coach's "new booking request" is no longer waiting for them.
_ANSWERS_A_REQUEST = frozenset({T.BOOKING_REQUESTED})

SPECS: dict[str, Spec] = {
    T.WEBINAR_BOOKING_CONFIRMED: Spec(Cat.BOOKING, HIGH, _webinar_booking_confirmed, "REQUEST"),
    T.WEBINAR_NEW_ATTENDEE: Spec(Cat.BOOKING, NORMAL, _webinar_new_attendee),
    T.WEBINAR_BOOKING_FAILED_FULL: Spec(
        Cat.BOOKING, HIGH, _webinar_booking_failed_full, email_mandatory=True
    ),
    # Mandatory email: it tells attendees their money is going back.
    T.WEBINAR_CANCELLED: Spec(
        Cat.BOOKING, HIGH, _webinar_cancelled, "CANCEL", email_mandatory=True
    ),
    # Money goes back (or not): the attendee's email cannot be switched off.
    T.WEBINAR_SEAT_CANCELLED: Spec(
        Cat.BOOKING, HIGH, _webinar_seat_cancelled, "CANCEL", email_mandatory=True
    ),
    T.WEBINAR_ATTENDEE_CANCELLED: Spec(Cat.BOOKING, NORMAL, _webinar_attendee_cancelled),
    T.WEBINAR_WAITLIST_OFFER: Spec(Cat.BOOKING, HIGH, _webinar_waitlist_offer),
    T.WEBINAR_RESCHEDULED: Spec(Cat.BOOKING, HIGH, _webinar_rescheduled, "REQUEST"),
    T.PAYMENT_RECEIVED: Spec(Cat.PAYMENT, NORMAL, _payment_received, email_mandatory=True),
    T.PAYMENT_FAILED: Spec(Cat.PAYMENT, HIGH, _payment_failed, email_mandatory=True),
    T.PAYMENT_REFUNDED: Spec(Cat.PAYMENT, HIGH, _payment_refunded, email_mandatory=True),
    T.PAYOUT_SETTLEMENT_ADVICE: Spec(
        Cat.PAYMENT, HIGH, _payout_settlement_advice, email_mandatory=True
    ),
    T.PAYOUT_FAILED: Spec(Cat.PAYMENT, HIGH, _payout_failed, email_mandatory=True),
    T.DISPUTE_OPENED: Spec(Cat.PAYMENT, HIGH, _dispute_opened, email_mandatory=True),
    T.DISPUTE_DUE_SOON: Spec(Cat.PAYMENT, HIGH, _dispute_due_soon, email_mandatory=True),
    T.DISPUTE_CLOSED: Spec(Cat.PAYMENT, NORMAL, _dispute_closed),
    T.REFUND_REQUEST_OPENED: Spec(Cat.PAYMENT, HIGH, _refund_request_opened),
    T.REFUND_REQUEST_APPROVED: Spec(
        Cat.PAYMENT, HIGH, _refund_request_approved, email_mandatory=True
    ),
    T.REFUND_REQUEST_DECLINED: Spec(Cat.PAYMENT, HIGH, _refund_request_declined),
    T.REFUND_REQUEST_ESCALATED: Spec(Cat.PAYMENT, HIGH, _refund_request_escalated),
    T.REFUND_REQUEST_RESOLVED: Spec(
        Cat.PAYMENT, HIGH, _refund_request_resolved, email_mandatory=True
    ),
    T.REFUND_REQUEST_MESSAGE: Spec(Cat.PAYMENT, NORMAL, _refund_request_message),
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
    T.CONNECTION_REQUESTED: Spec(Cat.ACCOUNT, NORMAL, _connection_requested),
    T.CONNECTION_ACCEPTED: Spec(Cat.ACCOUNT, LOW, _connection_accepted),
    # Sent once, at signup, before anyone could have chosen preferences: always delivered.
    T.WELCOME: Spec(Cat.ACCOUNT, NORMAL, _welcome, email_mandatory=True),
    # Security mail: always delivered, whatever the preferences (accounts sends them email-only).
    T.EMAIL_VERIFY: Spec(Cat.ACCOUNT, HIGH, _email_verify, email_mandatory=True),
    T.PASSWORD_RESET: Spec(Cat.ACCOUNT, HIGH, _password_reset, email_mandatory=True),
    T.PASSWORD_CHANGED: Spec(Cat.ACCOUNT, HIGH, _password_changed, email_mandatory=True),
    T.EMAIL_CHANGED: Spec(Cat.ACCOUNT, HIGH, _email_changed, email_mandatory=True),
    # Sanctions: the person must hear about them, whatever their preferences.
    T.ACCOUNT_WARNING: Spec(Cat.ACCOUNT, HIGH, _account_warning, email_mandatory=True),
    T.ACCOUNT_SUSPENDED: Spec(Cat.ACCOUNT, HIGH, _account_suspended, email_mandatory=True),
    T.ACCOUNT_RESTORED: Spec(Cat.ACCOUNT, NORMAL, _account_restored, email_mandatory=True),
    # Moderation: the person concerned always hears that their content was hidden.
    T.MODERATION_CONTENT_HIDDEN: Spec(
        Cat.ACCOUNT, HIGH, _moderation_content_hidden, email_mandatory=True
    ),
    T.MODERATION_RESTORED: Spec(Cat.ACCOUNT, NORMAL, _moderation_restored),
    T.MODERATION_REPORT_REVIEWED: Spec(Cat.ACCOUNT, LOW, _moderation_report_reviewed),
}

# Every type has an entry: a new type without words fails at import, not in production.
_missing = set(T.values) - set(SPECS)
if _missing:  # pragma: no cover
    raise ImportError(f"notifications.catalog has no entry for {sorted(_missing)}")


def spec_for(notification_type: str) -> Spec:
    return SPECS[T(notification_type)]
