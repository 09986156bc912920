"""Calendar invites (RFC 5545) attached to confirmation and cancellation emails.

Times are written in UTC (`...Z`), so every calendar shows them in its own zone. The UID is
stable per webinar/booking, so a later CANCEL or update replaces the same event; SEQUENCE
grows with time so the newer message wins.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from notifications.targets import TargetInfo

PRODID = "-//Coaching Platform//Notifications//EN"
DEFAULT_DURATION = timedelta(hours=1)


def _organizer_email() -> str:
    from email.utils import parseaddr

    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "hello@coaching.local"


def build_invite(
    *,
    info: TargetInfo,
    method: str,
    attendee_email: str,
    description: str = "",
    now: datetime | None = None,
) -> str:
    """The .ics text for `info`'s event; `method` is REQUEST or CANCEL."""
    if not info.starts_at:
        return ""
    method = method.upper()
    starts_at = info.starts_at.astimezone(UTC)
    ends_at = (info.ends_at or info.starts_at + DEFAULT_DURATION).astimezone(UTC)
    now = (now or timezone.now()).astimezone(UTC)

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)

    event = Event()
    event.add("uid", info.calendar_uid)
    event.add("dtstamp", now)
    event.add("dtstart", starts_at)
    event.add("dtend", ends_at)
    event.add("summary", info.title)
    event.add("sequence", int(now.timestamp()))
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    if description:
        event.add("description", description)
    location = info.join_url or info.location
    if location:
        event.add("location", location)
    url = info.join_url or (f"{settings.SITE_URL}{info.link}" if info.link.startswith("/") else "")
    if url:
        event.add("url", url)
    organizer = vCalAddress(f"mailto:{_organizer_email()}")
    organizer.params["cn"] = vText(info.coach_name or "Coaching Platform")
    event["organizer"] = organizer
    attendee = vCalAddress(f"mailto:{attendee_email}")
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("ACCEPTED")
    event.add("attendee", attendee, encode=False)
    calendar.add_component(event)
    return calendar.to_ical().decode()
