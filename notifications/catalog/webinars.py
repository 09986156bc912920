"""Words for webinar notifications."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.urls import reverse

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
from notifications.types import NotificationCategory as Cat
from notifications.types import NotificationType as T


def _webinar_booking_confirmed(recipient, info, context):
    details = session_details(info)
    if info.amount_paid:
        details.append(("Paid", money(info.amount_paid, info.currency)))
    join_url = str(context.get("join_url") or info.join_url)
    if join_url:
        details.append(("Join link", join_url))
    when_text = f" on {when(info.starts_at)}" if info.starts_at else ""
    body = f"{paid_sentence(info)}Your seat for {info.title}{when_text} is confirmed."
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
    attendee = context_name(context, "attendee_name", info.other_party_name)
    count, maximum = context.get("count"), context.get("max")
    seats = f" {count} of {maximum} seats are now taken." if count is not None and maximum else ""
    return Content(
        title=f"New attendee for {info.title}",
        body=f"{attendee} booked {info.title}.{seats}",
        link=info.link,
        cta_label="See attendees",
        details=session_details(info)
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
    details = session_details(info)
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
        details=session_details(info) + ([("Refund", refund)] if refund else []),
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
        details=session_details(info)
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
        details=session_details(info) + ([("Refund", refund)] if refund else []),
    )


def _webinar_attendee_cancelled(recipient, info, context):
    attendee = context_name(context, "attendee_name", info.other_party_name)
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
        details=session_details(info) + [("Attendee", attendee)],
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
        details=session_details(info) + ([("Held until", until_text)] if until_text else []),
    )


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
}
