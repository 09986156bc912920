"""The email outbox: retries with backoff, exactly one delivery, staff retry.

The SMTP server here is our own local sink (`notifications.smtp_sink`), reached through
Django's real SMTP backend; it answers the first N messages with "451 try again later".
"""

import pytest
from django.core import mail

from notifications import emails, services
from notifications.models import OutboundEmail
from notifications.smtp_sink import ThreadedSmtpSink
from notifications.tasks import send_outbound_email
from notifications.tests.factories import OutboundEmailFactory

# Sends are queued on commit: `committed()` (root conftest) runs them where the commit would.
pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp_sink_failing_twice(settings):
    with ThreadedSmtpSink(fail_first=2) as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 5
        yield sink


def test_smtp_failing_twice_then_succeeding_delivers_exactly_one_email(smtp_sink_failing_twice):
    email = OutboundEmailFactory(subject="Your seat is confirmed")

    send_outbound_email.delay(email.pk)  # eager: Celery runs the retries in-process

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert email.attempts == 3
    assert email.last_error == ""
    assert smtp_sink_failing_twice.rejected == 2
    assert smtp_sink_failing_twice.received == 1
    assert b"Subject: Your seat is confirmed" in smtp_sink_failing_twice.messages[0].data


def test_a_retry_after_success_does_not_send_again():
    email = OutboundEmailFactory()
    send_outbound_email.delay(email.pk)
    send_outbound_email.delay(email.pk)  # a duplicate delivery of the task, e.g. after a crash
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert email.attempts == 1
    assert len(mail.outbox) == 1


def test_email_being_sent_by_another_worker_is_not_sent_again():
    email = OutboundEmailFactory(status=OutboundEmail.Status.SENDING)
    assert emails.outbound_email_send(email_id=email.pk).status == "skipped"
    assert mail.outbox == []


def test_failed_attempt_sets_the_row_back_to_queued_with_the_error(settings):
    settings.EMAIL_BACKEND = "notifications.tests.backends.AlwaysFailingBackend"
    email = OutboundEmailFactory()
    outcome = emails.outbound_email_send(email_id=email.pk)
    email.refresh_from_db()
    assert outcome.should_retry
    assert email.status == OutboundEmail.Status.QUEUED
    assert email.attempts == 1
    assert "SMTPServerDisconnected" in email.last_error


def test_email_is_marked_failed_after_the_last_attempt(settings):
    settings.EMAIL_BACKEND = "notifications.tests.backends.AlwaysFailingBackend"
    settings.NOTIFICATIONS_EMAIL_MAX_ATTEMPTS = 3
    email = OutboundEmailFactory()
    assert send_outbound_email.delay(email.pk).get() == "failed"
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    assert email.attempts == 3


def test_staff_retry_of_a_failed_email_sends_it(committed):
    email = OutboundEmailFactory(status=OutboundEmail.Status.FAILED, attempts=5, last_error="x")
    with committed():
        assert services.email_retry(email_id=email.pk) is True
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1


def test_staff_retry_leaves_a_sent_email_alone():
    email = OutboundEmailFactory(status=OutboundEmail.Status.SENT)
    assert services.email_retry(email_id=email.pk) is False
    assert mail.outbox == []


def test_backoff_doubles_from_thirty_seconds():
    assert [emails.retry_delay(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]


def test_sweep_flags_an_email_whose_worker_died_mid_send(django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    stale = OutboundEmailFactory(
        status=OutboundEmail.Status.SENDING, claimed_at=timezone.now() - timedelta(hours=1)
    )
    result = emails.outbox_sweep()
    stale.refresh_from_db()
    assert result["abandoned"] == 1
    assert stale.status == OutboundEmail.Status.FAILED
    assert mail.outbox == []


def test_sweep_requeues_an_email_whose_task_was_lost():
    from datetime import timedelta

    from django.utils import timezone

    lost = OutboundEmailFactory()
    OutboundEmail.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert emails.outbox_sweep()["requeued"] == 1
    lost.refresh_from_db()
    assert lost.status == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1
