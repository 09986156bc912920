"""Calendar invites, parsed back with icalendar."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from icalendar import Calendar

from accounts.tests.factories import UserFactory
from notifications.ics import build_invite
from notifications.services import notify
from notifications.targets import TargetInfo, calendar_uid
from notifications.tests.factories import session_booking
from notifications.types import NotificationType

ZURICH = ZoneInfo("Europe/Zurich")


def _info(**overrides):
    values = {
        "kind": "webinar",
        "object_id": 7,
        "title": "Leading remote teams",
        "starts_at": datetime(2026, 3, 29, 18, 0, tzinfo=ZURICH),  # the DST switch day
        "ends_at": datetime(2026, 3, 29, 19, 30, tzinfo=ZURICH),
        "join_url": "https://coaching.example/webinars/7/join/",
        "coach_name": "Jane Coach",
        "calendar_uid": calendar_uid("webinar", 7),
    }
    return TargetInfo(**{**values, **overrides})


def _event(ics_text):
    calendar = Calendar.from_ical(ics_text)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    return calendar, events[0]


def test_invite_has_request_method_and_utc_times():
    calendar, event = _event(build_invite(info=_info(), method="REQUEST", attendee_email="a@b.ch"))
    assert calendar["METHOD"] == "REQUEST"
    assert event.decoded("DTSTART") == datetime(2026, 3, 29, 16, 0, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2026, 3, 29, 17, 30, tzinfo=UTC)
    assert event["DTSTART"].to_ical() == b"20260329T160000Z"
    assert str(event["SUMMARY"]) == "Leading remote teams"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["ATTENDEE"]) == "mailto:a@b.ch"
    assert str(event["LOCATION"]) == "https://coaching.example/webinars/7/join/"


def test_cancellation_keeps_the_uid_and_has_a_higher_sequence():
    first = build_invite(
        info=_info(),
        method="REQUEST",
        attendee_email="a@b.ch",
        now=datetime(2026, 1, 1, tzinfo=UTC),
    )
    cancel = build_invite(
        info=_info(), method="CANCEL", attendee_email="a@b.ch", now=datetime(2026, 1, 2, tzinfo=UTC)
    )
    _, request_event = _event(first)
    cancel_calendar, cancel_event = _event(cancel)
    assert cancel_calendar["METHOD"] == "CANCEL"
    assert str(cancel_event["STATUS"]) == "CANCELLED"
    assert str(cancel_event["UID"]) == str(request_event["UID"]) == calendar_uid("webinar", 7)
    assert int(cancel_event["SEQUENCE"]) > int(request_event["SEQUENCE"])


def test_event_without_an_end_lasts_an_hour():
    _, event = _event(
        build_invite(info=_info(ends_at=None), method="REQUEST", attendee_email="a@b.ch")
    )
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(hours=1)


@pytest.mark.django_db
def test_booking_confirmation_email_attaches_a_parseable_invite_in_utc(committed):
    client = UserFactory(timezone="America/New_York")
    start = datetime(2026, 7, 1, 14, 0, tzinfo=UTC)
    booking = session_booking(client=client, start=start)

    with committed():  # the email is sent on commit
        notify(recipient=client, type=NotificationType.BOOKING_CONFIRMED, target=booking)

    message = mail.outbox[0]
    filename, content, mimetype = message.attachments[0]
    assert filename == "invite.ics"
    assert mimetype.startswith("text/calendar") and "method=REQUEST" in mimetype
    calendar, event = _event(content)
    assert event.decoded("DTSTART") == start
    assert str(event["UID"]) == calendar_uid("booking", booking.pk)
    # The words show the recipient's own time: 14:00 UTC is 10:00 in New York (EDT).
    assert "Wed 01 Jul 2026, 10:00 EDT" in message.body


@pytest.mark.django_db
def test_cancellation_email_attaches_a_cancel_invite_with_the_same_uid(committed):
    booking = session_booking()
    with committed():
        notify(
            recipient=booking.client,
            type=NotificationType.BOOKING_CANCELLED_BY_COACH,
            target=booking,
        )
    filename, content, mimetype = mail.outbox[0].attachments[0]
    assert filename == "cancel.ics" and "method=CANCEL" in mimetype
    calendar, event = _event(content)
    assert calendar["METHOD"] == "CANCEL"
    assert str(event["UID"]) == calendar_uid("booking", booking.pk)
