"""Applying stored Calendly events (run by the Celery task, once per inbox row).

Dispatch by event type through HANDLERS; unknown types are logged and marked ignored, events
of a disconnected coach are ignored. The invitee URI keys everything: every URI that ever
meant a booking (the current invitee, the one it was rescheduled from, the one a reschedule
moves it to) is a CalendlyInvitee row, so events arriving in any order find the same booking.

Reschedule = `invitee.canceled` (old invitee, `rescheduled: true`, `new_invitee`) plus
`invitee.created` (new invitee, `old_invitee`), in either order: whichever comes first
records the link, the create moves the one booking; nobody gets a cancellation notice.
Cancel before create: the cancel builds the booking from its own payload (it carries the
whole invitee and scheduled event) and cancels it; the late create then changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from functools import partial

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from bookings.models import Booking, SessionType
from bookings.services.external import (
    booking_no_show_set,
    external_booking_cancel,
    external_booking_create,
    external_booking_move,
)
from integrations.models import (
    CalendlyBooking,
    CalendlyConnection,
    CalendlyEventType,
    CalendlyInvitee,
    CalendlyLead,
    CalendlyWebhookEvent,
)
from notifications.services import notify
from notifications.types import NotificationType

logger = logging.getLogger(__name__)


class Ignored(Exception):
    """Acknowledged without effect (logged with the reason)."""


def event_process(*, event_id: int) -> str:
    """Apply one inbox row once: the row is locked, and a processed or ignored row is left
    alone. An error is recorded on the row (status failed) and raised for the task's retry."""
    try:
        with transaction.atomic():
            row = (
                CalendlyWebhookEvent.objects.select_for_update()
                .select_related("connection__coach__user")
                .filter(pk=event_id)
                .first()
            )
            if row is None or row.status in (
                CalendlyWebhookEvent.Status.PROCESSED,
                CalendlyWebhookEvent.Status.IGNORED,
            ):
                return row.status if row else "missing"
            row.attempts += 1
            row.status, row.error = _apply(row)
            row.processed_at = timezone.now()
            row.save(update_fields=["attempts", "status", "error", "processed_at"])
            return row.status
    except Exception as exc:
        logger.exception("Calendly event %s failed", event_id)
        CalendlyWebhookEvent.objects.filter(pk=event_id).exclude(
            status=CalendlyWebhookEvent.Status.PROCESSED
        ).update(status=CalendlyWebhookEvent.Status.FAILED, error=repr(exc)[:2000])
        raise


def _apply(row: CalendlyWebhookEvent) -> tuple[str, str]:
    connection = row.connection
    if connection.state == CalendlyConnection.State.DISCONNECTED:
        logger.info("Calendly %s for disconnected %s ignored", row.event_type, connection)
        return CalendlyWebhookEvent.Status.IGNORED, "coach disconnected"
    handler = HANDLERS.get(row.event_type)
    if handler is None:
        logger.info("Calendly event type %s not handled; acknowledged", row.event_type)
        return CalendlyWebhookEvent.Status.IGNORED, f"type {row.event_type} not handled"
    try:
        handler(connection, row.payload["payload"])
    except Ignored as reason:
        logger.info("Calendly %s %s ignored: %s", row.event_type, row.subject_uri, reason)
        return CalendlyWebhookEvent.Status.IGNORED, str(reason)
    return CalendlyWebhookEvent.Status.PROCESSED, ""


# --- invitee events -------------------------------------------------------------------------
def _invitee_created(connection: CalendlyConnection, invitee: dict) -> None:
    uri = invitee["uri"]
    known = _find(uri)
    if known is not None:
        if known.rescheduling_to_uri == uri:
            _move(known, invitee)  # the reschedule's cancel came first and pointed here
        # Otherwise already applied, cancelled before this create arrived, or the create of
        # an invitee this booking was since rescheduled away from: nothing to do.
        return
    old = invitee.get("old_invitee")
    old = old if isinstance(old, str) and old else None
    previous = _find(old)
    if previous is not None:
        CalendlyInvitee.objects.get_or_create(uri=uri, defaults={"calendly_booking": previous})
        _move(previous, invitee)
        return
    calendly_booking = _create(connection, invitee)
    if old:
        # The old invitee's events may still come (its create, the reschedule's cancel):
        # they find this booking and, being about a former invitee, change nothing.
        CalendlyInvitee.objects.get_or_create(
            uri=old, defaults={"calendly_booking": calendly_booking}
        )
    _tell_created(calendly_booking)


def _invitee_canceled(connection: CalendlyConnection, invitee: dict) -> None:
    uri = invitee["uri"]
    known = _find(uri)
    if known is not None and known.invitee_uri != uri:
        return  # a former invitee of a booking already moved by its reschedule
    created_here = known is None
    if known is None:
        known = _create(connection, invitee)
    new = invitee.get("new_invitee")
    if invitee.get("rescheduled") and isinstance(new, str) and new:
        CalendlyInvitee.objects.get_or_create(uri=new, defaults={"calendly_booking": known})
        known.rescheduling_to_uri = new
        known.save(update_fields=["rescheduling_to_uri", "updated_at"])
        # The time is given back until the new invitee's create moves the booking.
        external_booking_cancel(booking_id=known.booking_id, by_coach=False, reason="")
        return
    cancellation = _dict(invitee.get("cancellation"))
    known.cancellation = cancellation or None
    known.save(update_fields=["cancellation", "updated_at"])
    booking = external_booking_cancel(
        booking_id=known.booking_id,
        by_coach=cancellation.get("canceler_type") == "host",
        reason=str(cancellation.get("reason") or ""),
    )
    if not created_here:
        _tell(
            known,
            booking,
            NotificationType.CALENDLY_BOOKING_CANCELLED,
            reason=cancellation.get("reason", ""),
        )


def _no_show(connection: CalendlyConnection, invitee: dict, *, marked: bool) -> None:
    known = _find(invitee["uri"]) or _create(connection, invitee)
    booking_no_show_set(booking_id=known.booking_id, marked=marked)


def _routing_form_submission(connection: CalendlyConnection, submission: dict) -> None:
    submitter = _dict(submission.get("submitter"))
    CalendlyLead.objects.get_or_create(
        submission_uri=submission["uri"],
        defaults={
            "connection": connection,
            "routing_form_uri": str(submission.get("routing_form") or "")[:500],
            "submitter_name": str(submitter.get("name") or "")[:200],
            "submitter_email": _email(submitter.get("email")),
            "questions_and_answers": _list(submission.get("questions_and_answers")),
            "tracking": _dict(submission.get("tracking")),
            "result": _dict(submission.get("result")) or None,
            "submitted_at": _time_or_none(submission.get("created_at")),
        },
    )


HANDLERS: dict[str, Callable[[CalendlyConnection, dict], None]] = {
    "invitee.created": _invitee_created,
    "invitee.canceled": _invitee_canceled,
    "invitee_no_show.created": partial(_no_show, marked=True),
    "invitee_no_show.deleted": partial(_no_show, marked=False),
    "routing_form_submission.created": _routing_form_submission,
}


# --- building and moving bookings -----------------------------------------------------------
def _find(uri: str | None) -> CalendlyBooking | None:
    if not uri:
        return None
    alias = (
        CalendlyInvitee.objects.select_related("calendly_booking__booking").filter(uri=uri).first()
    )
    return alias.calendly_booking if alias else None


def _scheduled_event(connection: CalendlyConnection, invitee: dict) -> dict:
    event = invitee.get("scheduled_event")
    if not isinstance(event, dict):
        raise Ignored("no scheduled_event in the payload")
    members = [m.get("user") for m in _list(event.get("event_memberships")) if isinstance(m, dict)]
    if members and connection.user_uri not in members:
        # Organization scope delivers every member's events; only the coach's are ours.
        raise Ignored("scheduled event of another Calendly user")
    return event


def _create(connection: CalendlyConnection, invitee: dict) -> CalendlyBooking:
    event = _scheduled_event(connection, invitee)
    start, end = _time(event.get("start_time")), _time(event.get("end_time"))
    if end <= start:
        raise Ignored("scheduled event ends before it starts")
    coach = connection.coach
    session_type = _mirror_session_type(coach, event, start, end)
    email = _email(invitee.get("email"))
    client = _account_for(email, coach)
    booking = external_booking_create(
        coach_id=coach.pk,
        session_type_id=session_type.pk,
        source=Booking.Source.CALENDLY,
        start=start,
        end=end,
        title=str(event.get("name") or session_type.name),
        timezone_name=_zone(invitee.get("timezone")),
        client=client,
        guest_name=str(invitee.get("name") or email)[:150],
        # The constraint wants an email for a booking without an account; Calendly always
        # sends one, but a payload without it must not be lost.
        guest_email=email or _placeholder_email(invitee["uri"]),
        meeting_url=_join_url(event),
    )
    calendly_booking = CalendlyBooking.objects.create(
        booking=booking, connection=connection, invitee_uri=invitee["uri"], **_facts(invitee)
    )
    CalendlyInvitee.objects.create(calendly_booking=calendly_booking, uri=invitee["uri"])
    calendly_booking.booking = booking
    return calendly_booking


def _move(calendly_booking: CalendlyBooking, invitee: dict) -> None:
    event = _scheduled_event(calendly_booking.connection, invitee)
    start, end = _time(event.get("start_time")), _time(event.get("end_time"))
    booking = external_booking_move(booking_id=calendly_booking.booking_id, start=start, end=end)
    for name, value in _facts(invitee).items():
        setattr(calendly_booking, name, value)
    calendly_booking.invitee_uri = invitee["uri"]
    calendly_booking.rescheduling_to_uri = ""
    calendly_booking.save()
    calendly_booking.booking = booking
    _tell(calendly_booking, booking, NotificationType.CALENDLY_BOOKING_RESCHEDULED)
    if booking.status == Booking.Status.CONFLICT:
        _flag_conflict(calendly_booking, booking)


def _facts(invitee: dict) -> dict:
    event = _dict(invitee.get("scheduled_event"))
    return {
        "scheduled_event_uri": str(event.get("uri") or invitee.get("event") or "")[:500],
        "event_type_uri": str(event.get("event_type") or "")[:500],
        "event_type_name": str(event.get("name") or "")[:200],
        "invitee_name": str(invitee.get("name") or "")[:200],
        "invitee_email": _email(invitee.get("email")),
        "invitee_timezone": _zone(invitee.get("timezone")),
        "questions_and_answers": _list(invitee.get("questions_and_answers")),
        "tracking": _dict(invitee.get("tracking")),
        "payment": _dict(invitee.get("payment")) or None,
        "location": _dict(event.get("location")) or None,
        "cancel_url": _url(invitee.get("cancel_url")),
        "reschedule_url": _url(invitee.get("reschedule_url")),
    }


def _mirror_session_type(coach, event: dict, start: dt.datetime, end: dt.datetime) -> SessionType:
    """The hidden session type mirroring this Calendly event type (created on first use)."""
    uri = str(event.get("event_type") or "")[:500]
    mirror = CalendlyEventType.objects.select_related("session_type").filter(coach=coach, uri=uri)
    found = mirror.first()
    if found is not None:
        return found.session_type
    minutes = max(1, min(int((end - start).total_seconds() // 60), 1440))
    name = str(event.get("name") or "Calendly booking")[:120]
    session_type = SessionType.objects.create(
        coach=coach,
        name=name,
        description="Mirrors a Calendly event type; booked on Calendly only.",
        is_active=False,  # never offered on our booking pages
        duration_default=minutes,
        duration_min=minutes,
        duration_max=minutes,
        duration_step=minutes,
        price_factor=0,
        allow_firm_booking=False,
        min_notice_hours=0,
        buffer_before_minutes=0,
        buffer_after_minutes=0,
    )
    CalendlyEventType.objects.create(coach=coach, uri=uri, name=name, session_type=session_type)
    return session_type


def _placeholder_email(invitee_uri: str) -> str:
    last = invitee_uri.rstrip("/").rsplit("/", 1)[-1]
    local = "".join(c for c in last.lower() if c.isalnum())[:40] or "unknown"
    return f"invitee-{local}@calendly.invalid"


def _account_for(email: str, coach):
    """The account with this (verified) email: the booking then shows in its My Bookings."""
    if not email:
        return None
    user = (
        get_user_model()
        .objects.filter(email__iexact=email, is_active=True, email_verified_at__isnull=False)
        .exclude(pk=coach.user_id)
        .first()
    )
    return user


# --- telling people -------------------------------------------------------------------------
def _tell_created(calendly_booking: CalendlyBooking) -> None:
    booking = calendly_booking.booking
    if booking.status == Booking.Status.CONFLICT:
        _flag_conflict(calendly_booking, booking)
        return
    _tell(calendly_booking, booking, NotificationType.CALENDLY_BOOKING_CREATED)


def _flag_conflict(calendly_booking: CalendlyBooking, booking: Booking) -> None:
    CalendlyBooking.objects.filter(pk=calendly_booking.pk).update(overlaps=True)
    notify(
        recipient=booking.coach.user,
        type=NotificationType.CALENDLY_BOOKING_CONFLICT,
        target=booking,
        context=_context(calendly_booking, booking),
    )


def _tell(calendly_booking: CalendlyBooking, booking: Booking, notification_type, **extra) -> None:
    """The coach, and the client if the invitee has an account here. Our words link to
    Calendly's cancel/reschedule pages; no calendar invite (Calendly sends its own)."""
    context = {**_context(calendly_booking, booking), **extra}
    notify(recipient=booking.coach.user, type=notification_type, target=booking, context=context)
    if booking.client_id:
        notify(recipient=booking.client, type=notification_type, target=booking, context=context)


def _context(calendly_booking: CalendlyBooking, booking: Booking) -> dict:
    return {
        "client_name": booking.person_name,
        "client_id": booking.client_id,
        "cancel_url": calendly_booking.cancel_url,
        "reschedule_url": calendly_booking.reschedule_url,
    }


# --- reading payload fields -----------------------------------------------------------------
def _time(value) -> dt.datetime:
    """A required payload time, in UTC; a missing or unreadable one ignores the event."""
    parsed = _time_or_none(value)
    if parsed is None:
        raise Ignored(f"unreadable time {value!r}")
    return parsed


def _time_or_none(value) -> dt.datetime | None:
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None or parsed.tzinfo is None:
        return None
    return parsed.astimezone(dt.UTC)


def _email(value) -> str:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    text = str(value or "").strip()[:254]
    try:
        validate_email(text)
    except ValidationError:
        return ""
    return text


def _zone(value) -> str:
    import zoneinfo

    text = str(value or "")
    return text if text in zoneinfo.available_timezones() else ""


def _url(value) -> str:
    text = str(value or "")
    return text if text.startswith(("https://", "http://")) and len(text) <= 500 else ""


def _join_url(event: dict) -> str:
    location = _dict(event.get("location"))
    return _url(location.get("join_url"))


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}
