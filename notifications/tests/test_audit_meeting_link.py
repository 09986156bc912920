"""The 1:1 meeting link (issue 8, item 20): coaches set it per session type and may override it
per booking; it reaches the confirmation email, the .ics, My Bookings and the reminder, for
the client and the coach only. Before, every 1:1 invite said "Online" with no link, because
notifications/targets.py read attributes no model has."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from bookings.models import Booking
from bookings.services.notify import booking_event
from bookings.tests.factories import BookingFactory, SessionTypeFactory, at, future_weekday
from notifications.models import Notification, OutboundEmail
from notifications.reminders import send_due_reminders
from notifications.targets import describe

pytestmark = pytest.mark.django_db

TYPE_LINK = "https://meet.example.com/lina-coaching"
OWN_LINK = "https://zoom.example.com/j/123456"


@pytest.fixture
def booking():
    session_type = SessionTypeFactory(meeting_url=TYPE_LINK)
    day = future_weekday(0)
    return BookingFactory(
        coach=session_type.coach, session_type=session_type, start=at(day, 10), end=at(day, 11)
    )


def test_the_confirmation_email_and_invite_carry_the_link_for_client_and_coach(booking):
    booking_event(booking, "confirmed")

    for recipient in (booking.client, booking.coach.user):
        email = OutboundEmail.objects.get(recipient=recipient, type="booking_confirmed")
        assert TYPE_LINK in email.body_text
        assert TYPE_LINK in email.body_html
        assert f"LOCATION:{TYPE_LINK}" in email.ics_content.replace("\r\n ", "")
        assert "LOCATION:Online" not in email.ics_content


def test_the_bookings_own_link_overrides_the_session_types(booking):
    Booking.objects.filter(pk=booking.pk).update(meeting_url=OWN_LINK)
    booking.refresh_from_db()

    booking_event(booking, "confirmed")

    email = OutboundEmail.objects.get(recipient=booking.client, type="booking_confirmed")
    assert OWN_LINK in email.body_text and TYPE_LINK not in email.body_text
    assert describe(booking).join_url == OWN_LINK


def test_the_reminder_carries_the_link(booking):
    send_due_reminders(now=booking.start - dt.timedelta(hours=23, minutes=50))

    for recipient in (booking.client, booking.coach.user):
        email = OutboundEmail.objects.get(recipient=recipient, type="session_reminder")
        assert TYPE_LINK in email.body_text


def test_my_bookings_shows_the_join_link_to_the_client_only_when_confirmed(client, booking):
    client.force_login(booking.client)
    page = client.get(reverse("core:my_bookings")).content.decode()
    assert f'href="{TYPE_LINK}"' in page

    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.REQUESTED)
    assert TYPE_LINK not in client.get(reverse("core:my_bookings")).content.decode()


def test_nobody_else_sees_the_link(client, booking):
    client.force_login(UserFactory())
    assert TYPE_LINK not in client.get(reverse("core:my_bookings")).content.decode()
    detail = client.get(booking.get_absolute_url())
    assert detail.status_code == 404


def test_notices_before_the_session_is_confirmed_carry_no_link(booking):
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.REQUESTED)
    booking.refresh_from_db()

    booking_event(booking, "requested")

    for notice in Notification.objects.all():
        assert TYPE_LINK not in notice.body
    for email in OutboundEmail.objects.all():
        assert TYPE_LINK not in email.body_text


def test_a_booking_is_described_by_its_real_fields(booking):
    info = describe(booking)
    assert (info.starts_at, info.ends_at) == (booking.start, booking.end)
    assert info.title == booking.title
    assert info.join_url == TYPE_LINK
    assert info.other_party_name == booking.client.display_name


def test_the_coach_sets_a_bookings_own_link_in_the_admin_and_nothing_else(client, booking):
    from core.tests.admin_post import admin_form_data

    client.force_login(booking.coach.user)
    url = reverse("admin:bookings_booking_change", args=[booking.pk])
    page = client.get(url)
    assert list(page.context["adminform"].form.fields) == ["meeting_url"]

    response = client.post(url, admin_form_data(page, meeting_url=OWN_LINK, status="cancelled"))

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.meeting_url == OWN_LINK
    assert booking.status == Booking.Status.CONFIRMED
