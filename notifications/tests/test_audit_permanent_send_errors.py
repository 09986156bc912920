"""A send error that no retry can cure fails the outbox row at once (issue 8, item 16).

The SMTP server is our local sink (`notifications.smtp_sink`) reached through Django's real
SMTP backend; the header-injection case needs no server at all (Django refuses the message).
"""

import pytest

from notifications.models import OutboundEmail
from notifications.smtp_sink import ThreadedSmtpSink
from notifications.tasks import send_outbound_email
from notifications.tests.factories import OutboundEmailFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _use_sink(settings, sink):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5


def test_a_subject_with_a_line_break_fails_the_row_after_one_attempt(settings):
    settings.NOTIFICATIONS_EMAIL_MAX_ATTEMPTS = 5
    # A row written before titles were checked at input (or by code that bypassed the forms).
    email = OutboundEmailFactory(subject="Webinar\r\nBcc: everyone@example.com")

    assert send_outbound_email.delay(email.pk).get() == "failed"

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    assert email.attempts == 1
    assert "BadHeaderError" in email.last_error
    assert "permanent" in email.last_error


def test_a_5xx_smtp_refusal_fails_the_row_after_one_attempt(settings):
    with ThreadedSmtpSink(fail_first=5, fail_reply="550 5.1.1 No such user here") as sink:
        _use_sink(settings, sink)
        email = OutboundEmailFactory()

        assert send_outbound_email.delay(email.pk).get() == "failed"

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    assert email.attempts == 1
    assert sink.rejected == 1
    assert "No such user here" in email.last_error


def test_a_4xx_smtp_answer_is_still_retried(settings):
    with ThreadedSmtpSink(fail_first=1) as sink:
        _use_sink(settings, sink)
        email = OutboundEmailFactory()

        assert send_outbound_email.delay(email.pk).get() == "sent"

    email.refresh_from_db()
    assert email.attempts == 2
