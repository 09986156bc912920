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


def test_staff_see_unbuilt_deferred_notices_and_build_them_now(staff_client, committed):
    from notifications.deferred import notify_after_commit
    from notifications.models import DeferredNotification, Notification
    from webinars.tests.factories import RegistrationFactory

    registration = RegistrationFactory()
    row = notify_after_commit(  # in the test's transaction: its own task never runs
        recipient=registration.user,
        type="webinar_booking_confirmed",
        target=registration,
        context={"join_url": "https://meet.example.com/x"},
    )
    page = staff_client.get("/admin/notifications/deferrednotification/")
    assert page.status_code == 200
    assert f"/admin/notifications/deferrednotification/{row.pk}/change/" in page.content.decode()
    with committed():
        response = staff_client.post(
            "/admin/notifications/deferrednotification/",
            {"action": "build_now", "_selected_action": [row.pk]},
            follow=True,
        )
    assert "1 notice(s) built and queued." in response.content.decode()
    assert not DeferredNotification.objects.exists()
    assert Notification.objects.filter(recipient=registration.user).count() == 1
    assert len(mail.outbox) == 1

    coach = Client()
    coach.force_login(CoachFactory().user)
    assert coach.get("/admin/notifications/deferrednotification/").status_code == 403
