"""24 h and 1 h reminders for guests (a free session booked without an account): by email
only, exactly once each, with the signed manage link and times in the guest's zone. Calendly
invitees get none from us (Calendly sends its own); cancelled bookings and suppressed
addresses get none either."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookings.models import Booking
from bookings.tests.factories import BookingFactory
from notifications.models import EmailSuppression, Notification, OutboundEmail, ReminderLog
from notifications.reminders import send_due_reminders
from notifications.types import NotificationType

pytestmark = pytest.mark.django_db
GUEST = "gina@example.org"


def guest_booking(*, hours_ahead: float = 23, email: str = GUEST, **fields) -> Booking:
    now = timezone.now()
    return BookingFactory(
        client=None,
        guest_name="Gina Guest",
        guest_email=email,
        source=Booking.Source.GUEST,
        timezone="America/New_York",
        start=now + timedelta(hours=hours_ahead),
        end=now + timedelta(hours=hours_ahead, minutes=30),
        confirmed_at=now - timedelta(days=2),
        amount_total=Decimal("0.00"),
        **fields,
    )


def _to(address: str):
    return [m for m in mail.outbox if m.to == [address]]


def _manage_path(message) -> str:
    match = re.search(r"(/bookings/guest/[^\s\"<>/]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_guest_gets_each_reminder_once_even_when_the_sweep_runs_twice(committed):
    booking = guest_booking(hours_ahead=23)
    start = booking.start

    for moment in (start - timedelta(hours=23), start - timedelta(hours=22, minutes=55)):
        with committed():
            send_due_reminders(now=moment)
    assert [m.subject for m in _to(GUEST)] == [
        f"Reminder: {booking.session_type.name} starts in 24 hours"
    ]

    for moment in (start - timedelta(minutes=50), start - timedelta(minutes=45)):
        with committed():
            send_due_reminders(now=moment)
    assert [m.subject for m in _to(GUEST)] == [
        f"Reminder: {booking.session_type.name} starts in 24 hours",
        f"Reminder: {booking.session_type.name} starts in 1 hour",
    ]
    assert sorted(
        ReminderLog.objects.filter(email=GUEST, recipient=None).values_list("offset", flat=True)
    ) == ["1h", "24h"]
    # No account, so no in-app notice for the guest; the coach still got theirs.
    assert not Notification.objects.exclude(recipient=booking.coach.user).exists()
    assert (
        Notification.objects.filter(
            recipient=booking.coach.user, type=NotificationType.SESSION_REMINDER
        ).count()
        == 2
    )


def test_the_reminder_is_in_the_guests_zone_and_its_link_opens_the_manage_page(client, committed):
    booking = guest_booking(hours_ahead=23)
    with committed():
        send_due_reminders(now=timezone.now())

    (message,) = _to(GUEST)
    local = timezone.localtime(booking.start, ZoneInfo("America/New_York"))
    assert local.strftime("%H:%M") in message.body
    page = client.get(_manage_path(message))
    assert page.status_code == 200
    text = page.content.decode()
    assert booking.session_type.name in text and "Cancel this session" in text


def test_cancelled_guest_booking_gets_no_reminder(committed):
    guest_booking(hours_ahead=23, status=Booking.Status.CANCELLED_BY_CLIENT)
    with committed():
        send_due_reminders(now=timezone.now())
    assert _to(GUEST) == []
    assert not ReminderLog.objects.filter(email=GUEST).exists()


def test_calendly_booking_gets_no_reminder_from_us(committed):
    """Calendly sends its invitees its own reminders: none from us, whether or not the
    invitee's address has an account here."""
    from accounts.tests.factories import UserFactory

    now = timezone.now()
    BookingFactory(
        client=None,
        guest_name="Carl Calendly",
        guest_email="carl@example.org",
        source=Booking.Source.CALENDLY,
        start=now + timedelta(hours=23),
        end=now + timedelta(hours=24),
        confirmed_at=now - timedelta(days=2),
    )
    member = UserFactory(email="mia@example.org")
    BookingFactory(
        client=member,
        source=Booking.Source.CALENDLY,
        start=now + timedelta(hours=23),
        end=now + timedelta(hours=24),
        confirmed_at=now - timedelta(days=2),
    )

    with committed():
        send_due_reminders(now=now)

    assert _to("carl@example.org") == [] and _to("mia@example.org") == []
    assert not Notification.objects.filter(recipient=member).exists()
    assert not ReminderLog.objects.filter(email="carl@example.org").exists()
    assert not ReminderLog.objects.filter(recipient=member).exists()


def test_suppressed_guest_address_gets_no_reminder(committed):
    EmailSuppression.objects.create(email=GUEST, reason=EmailSuppression.Reason.BOUNCED)
    guest_booking(hours_ahead=23)

    with committed():
        send_due_reminders(now=timezone.now())

    assert _to(GUEST) == []
    # Kept as a record like any suppressed email, never handed to the provider.
    assert OutboundEmail.objects.get(to_email=GUEST).status == OutboundEmail.Status.SUPPRESSED


def _sweep_queries(count: int) -> int:
    for n in range(count):
        guest_booking(hours_ahead=20, email=f"guest{n}@example.org")
    with CaptureQueriesContext(connection) as queries:
        result = send_due_reminders(now=timezone.now(), kinds={"guest_session"})
    assert result["sent"] == count
    assert OutboundEmail.objects.filter(to_email__startswith="guest").count() == count
    return len(queries)


def test_the_guest_sweep_costs_the_same_queries_for_2_or_20_bookings():
    few = _sweep_queries(2)
    Booking.objects.all().delete()
    OutboundEmail.objects.all().delete()
    ReminderLog.objects.all().delete()
    many = _sweep_queries(20)
    assert few == many, (few, many)


@pytest.mark.django_db(transaction=True)
def test_overlapping_sweeps_in_threads_send_each_guest_reminder_once():
    """Four beat runs released at the same instant, one connection each: the log row of
    `reminder_once_per_email` is claimed by one of them, the others wait and send nothing."""
    import threading

    now = timezone.now()
    for n in range(3):
        guest_booking(hours_ahead=20, email=f"race{n}@example.org")
    barrier = threading.Barrier(4)
    errors: list[Exception] = []

    def run():
        try:
            barrier.wait(timeout=10)
            send_due_reminders(now=now, kinds={"guest_session"})
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    for n in range(3):
        assert OutboundEmail.objects.filter(to_email=f"race{n}@example.org").count() == 1
    assert ReminderLog.objects.filter(recipient=None).count() == 3
