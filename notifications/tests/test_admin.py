import pytest
from django.core import mail
from django.test import Client

from accounts.models import User
from accounts.tests.factories import CoachFactory
from notifications.models import OutboundEmail
from notifications.tests.factories import NotificationFactory, OutboundEmailFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client():
    admin = User.objects.create_superuser(email="staff@example.com", password="x" * 20)
    client = Client()
    client.force_login(admin)
    return client


def test_staff_sees_failed_emails_with_their_error(staff_client):
    OutboundEmailFactory(
        status=OutboundEmail.Status.FAILED, attempts=5, last_error="SMTP 451", subject="Receipt"
    )
    page = staff_client.get("/admin/notifications/outboundemail/?status__exact=failed")
    assert page.status_code == 200
    assert "Receipt" in page.content.decode()


def test_staff_retry_action_sends_the_failed_email_once(staff_client, committed):
    failed = OutboundEmailFactory(status=OutboundEmail.Status.FAILED, attempts=5)
    sent = OutboundEmailFactory(status=OutboundEmail.Status.SENT)
    with committed():  # the admin request's commit queues the send
        response = staff_client.post(
            "/admin/notifications/outboundemail/",
            {"action": "retry_failed", "_selected_action": [failed.pk, sent.pk]},
            follow=True,
        )
    assert response.status_code == 200
    failed.refresh_from_db()
    assert failed.status == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1
    assert "were not failed" in response.content.decode()


def test_coaches_cannot_open_other_peoples_notifications_or_emails_in_the_admin():
    coach = CoachFactory().user
    client = Client()
    client.force_login(coach)
    NotificationFactory()
    OutboundEmailFactory()
    assert client.get("/admin/notifications/notification/").status_code == 403
    assert client.get("/admin/notifications/outboundemail/").status_code == 403
