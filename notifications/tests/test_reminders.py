"""Reminders 24 h and 1 h ahead, exactly once (tested with the 1:1 session provider the
bookings app registers; the webinar provider has its own tests in test_webinar_live.py)."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from notifications.models import Notification, ReminderLog
from notifications.reminders import send_due_reminders
from notifications.tasks import send_due_reminders as send_due_reminders_task
from notifications.tests.factories import session_booking
from notifications.types import NotificationType

# The reminder runs commit in the code under test; only the overlapping runs in threads need
# real commits (`transaction=True`), the others run on-commit work with `committed()`.
pytestmark = pytest.mark.django_db


def _reminders_to(user):
    return Notification.objects.filter(recipient=user, type=NotificationType.SESSION_REMINDER)


def test_session_23_hours_away_gets_the_24_hour_reminder_for_client_and_coach(committed):
    now = timezone.now()
    booking = session_booking(start=now + timedelta(hours=23), confirmed_at=now - timedelta(days=2))

    with committed():  # the emails leave on commit
        result = send_due_reminders(now=now)

    assert result["sent"] == 2
    reminder = _reminders_to(booking.client).get()
    assert reminder.title == "Reminder: Career coaching starts in 24 hours"
    assert _reminders_to(booking.coach.user).count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [booking.client.email, booking.coach.user.email]
    )


def test_reminders_run_twice_send_once(committed):
    now = timezone.now()
    booking = session_booking(start=now + timedelta(hours=23), confirmed_at=now - timedelta(days=2))

    with committed():
        send_due_reminders_task.delay()
    with committed():
        send_due_reminders_task.delay()
    with committed():
        send_due_reminders(now=now + timedelta(minutes=5))

    assert _reminders_to(booking.client).count() == 1
    assert ReminderLog.objects.filter(recipient=booking.client, offset="24h").count() == 1
    assert len(mail.outbox) == 2  # client + coach, once each


def test_session_30_minutes_away_gets_the_1_hour_reminder_not_a_late_24_hour_one():
    now = timezone.now()
    booking = session_booking(
        start=now + timedelta(minutes=30), confirmed_at=now - timedelta(days=2)
    )

    send_due_reminders(now=now)

    assert [r.title for r in _reminders_to(booking.client)] == [
        "Reminder: Career coaching starts in 1 hour"
    ]


def test_both_reminders_arrive_over_a_sessions_last_day():
    start = timezone.now() + timedelta(hours=30)
    booking = session_booking(start=start, confirmed_at=start - timedelta(days=3))

    for hours_before in (30, 24, 20, 2, 1, 0.5):
        send_due_reminders(now=start - timedelta(hours=hours_before))

    assert list(
        ReminderLog.objects.filter(recipient=booking.client)
        .order_by("pk")
        .values_list("offset", flat=True)
    ) == ["24h", "1h"]


def test_session_booked_inside_the_window_gets_no_24_hour_reminder():
    now = timezone.now()
    booking = session_booking(
        start=now + timedelta(hours=5), confirmed_at=now - timedelta(minutes=5)
    )
    send_due_reminders(now=now)
    assert not _reminders_to(booking.client).exists()


def test_unconfirmed_session_gets_no_reminder():
    now = timezone.now()
    booking = session_booking(start=now + timedelta(hours=2), status="requested")
    send_due_reminders(now=now + timedelta(hours=1, minutes=30))
    assert not _reminders_to(booking.client).exists()


def overlapping_runs(runs: int = 4):
    """Three sessions 20 hours away (six reminders: client and coach each) and `runs`
    reminder runs in threads released at the same instant, one database connection each.
    Returns the bookings."""
    now = timezone.now()
    bookings = [
        session_booking(start=now + timedelta(hours=20), confirmed_at=now - timedelta(days=2))
        for _ in range(3)
    ]
    barrier = threading.Barrier(runs)
    errors = []

    def run():
        try:
            barrier.wait(timeout=10)
            send_due_reminders(now=now)
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return bookings


@pytest.mark.django_db(transaction=True)
def test_overlapping_runs_in_threads_send_each_reminder_once():
    bookings = overlapping_runs()

    for booking in bookings:
        assert _reminders_to(booking.client).count() == 1
        assert _reminders_to(booking.coach.user).count() == 1
    assert len(mail.outbox) == 6


@pytest.mark.django_db(transaction=True)
def test_control_check_then_insert_sends_twice_when_runs_overlap(monkeypatch):
    """The same overlapping runs with the log row looked up first and written after sending
    (INSERT_BEFORE_SEND off): some reminder goes out twice, so the test above proves the
    insert-before-send design and not a lucky schedule."""
    from notifications import reminders

    monkeypatch.setattr(reminders, "INSERT_BEFORE_SEND", False)
    duplicates = 0
    for _ in range(3):  # a race is a race: give it three chances to show itself
        mail.outbox.clear()
        bookings = overlapping_runs()
        recipients = [u for b in bookings for u in (b.client, b.coach.user)]
        duplicates = sum(_reminders_to(user).count() - 1 for user in recipients)
        if duplicates > 0:
            break
    assert duplicates > 0, "check-then-insert should send some reminder twice"
    assert len(mail.outbox) > 6


def test_webinar_slot_reminds_confirmed_attendees_and_the_coach_only():
    from webinars.tests.factories import (
        HeldRegistrationFactory,
        RegistrationFactory,
        WebinarFactory,
    )

    now = timezone.now()
    webinar = WebinarFactory(slots__starts_in=timedelta(hours=20))
    attendee = RegistrationFactory(webinar=webinar, confirmed_at=now - timedelta(days=2)).user
    holder = HeldRegistrationFactory(webinar=webinar).user

    send_due_reminders(now=now)
    send_due_reminders(now=now)

    assert _reminders_to(attendee).get().title == f"Reminder: {webinar.title} starts in 24 hours"
    assert _reminders_to(webinar.coach.user).count() == 1
    assert not _reminders_to(holder).exists()


def test_each_slot_of_a_multi_slot_webinar_gets_its_own_reminder_with_its_own_time():
    from webinars.models import WebinarSlot
    from webinars.tests.factories import RegistrationFactory, WebinarFactory

    now = timezone.now().replace(microsecond=0)
    webinar = WebinarFactory(slots=False)
    first = WebinarSlot.objects.create(
        webinar=webinar, start=now + timedelta(minutes=40), end=now + timedelta(minutes=100)
    )
    second = WebinarSlot.objects.create(
        webinar=webinar, start=now + timedelta(hours=10), end=now + timedelta(hours=11)
    )
    attendee = RegistrationFactory(webinar=webinar, confirmed_at=now - timedelta(days=2)).user

    send_due_reminders(now=now)

    logs = ReminderLog.objects.filter(recipient=attendee, kind="webinar")
    assert sorted(logs.values_list("object_id", "offset")) == sorted(
        [(str(first.pk), "1h"), (str(second.pk), "24h")]
    )
    one_hour = _reminders_to(attendee).get(title__endswith="1 hour")
    local_start = timezone.localtime(first.start, attendee.tzinfo)
    assert local_start.strftime("%H:%M") in one_hour.body
