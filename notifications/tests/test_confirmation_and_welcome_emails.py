"""Words and delivery of two emails: the webinar booking confirmation (with its join link) and
the welcome email (through the notification service and the outbox, like every other email)."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from accounts.tasks import send_welcome_email
from accounts.tests.factories import CoachFactory, UserFactory
from notifications.models import Notification, OutboundEmail
from notifications.tests.factories import NotificationPreferenceFactory
from notifications.types import NotificationCategory
from webinars.services import webinar_register
from webinars.tests.factories import WebinarFactory

pytestmark = pytest.mark.django_db

SITE = "https://coaching.example.com"


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = SITE
    return SITE


def test_webinar_confirmation_email_has_the_join_link_in_the_text_and_html_body(
    site_url, committed
):
    webinar = WebinarFactory(price=Decimal("0"), join_link="https://meet.example.com/abc")
    user = UserFactory()
    with committed():
        webinar_register(webinar_id=webinar.pk, user=user)

    join_url = f"{SITE}/webinars/{webinar.pk}/join/"
    [message] = [m for m in mail.outbox if m.to == [user.email]]
    assert f"Join the webinar here: {join_url} " in message.body
    html, _mimetype = message.alternatives[0]
    assert f'Join the webinar here: <a href="{join_url}"' in html
    # The access-checked URL, never the coach's raw meeting link.
    assert "meet.example.com" not in message.body and "meet.example.com" not in html
    note = Notification.objects.get(recipient=user, type="webinar_booking_confirmed")
    assert join_url in note.body


def test_welcome_email_goes_through_the_outbox_with_an_in_app_copy(site_url, committed):
    user = UserFactory(first_name="Ada", last_name="Lovelace", timezone="Europe/Berlin")

    with committed():
        send_welcome_email.delay(user.pk)

    email = OutboundEmail.objects.get(recipient=user)
    assert email.type == "welcome" and email.status == OutboundEmail.Status.SENT
    [message] = mail.outbox
    assert message.to == [user.email]
    assert message.subject == "Welcome to Coaching Platform, Ada"
    assert "Your account is ready." in message.body
    assert "Your time zone: Europe/Berlin" in message.body
    assert f"Find a coach: {SITE}/" in message.body
    note = Notification.objects.get(recipient=user)
    assert (note.type, note.category) == ("welcome", NotificationCategory.ACCOUNT)


def test_welcome_email_is_delivered_even_when_account_emails_are_switched_off(committed):
    user = UserFactory()
    NotificationPreferenceFactory(user=user, category=NotificationCategory.ACCOUNT, email=False)
    with committed():
        send_welcome_email.delay(user.pk)
    assert [m.to for m in mail.outbox] == [[user.email]]


def test_welcome_email_for_a_coach_points_to_the_profile_and_the_admin(site_url, committed):
    coach = CoachFactory()
    with committed():
        send_welcome_email.delay(coach.user.pk)
    [message] = mail.outbox
    assert f"Your profile: {SITE}/accounts/profile/" in message.body
    assert f"Coach admin: {SITE}/admin/" in message.body


def test_signup_sends_the_welcome_email_through_the_outbox(
    client, django_capture_on_commit_callbacks
):
    password = "a-long-and-unusual-passphrase-42"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:signup"),
            {
                "email": "new.person@example.com",
                "first_name": "New",
                "last_name": "Person",
                "timezone": "Europe/Zurich",
                "password1": password,
                "password2": password,
            },
        )
    email = OutboundEmail.objects.get(to_email="new.person@example.com", type="welcome")
    assert email.status == OutboundEmail.Status.SENT
    # with the link confirming the address (issue 15)
    assert sorted(m.subject for m in mail.outbox) == [
        "Confirm your email address",
        "Welcome to Coaching Platform, New",
    ]
