"""Email backends for tests that need a delivery to fail without a network."""

from smtplib import SMTPServerDisconnected

from django.core.mail.backends.base import BaseEmailBackend


class AlwaysFailingBackend(BaseEmailBackend):
    """Behaves like an SMTP server that hangs up on every message."""

    def send_messages(self, email_messages):
        raise SMTPServerDisconnected("Connection unexpectedly closed")


class ProviderLikeBackend:
    """anymail's own test backend (messages land in django.core.mail.outbox, each with an
    `anymail_status`), giving every message an id shaped like Postmark's (a UUID) instead of
    its outbox index, so the tracking webhook's payloads can name it as Postmark would."""

    def __new__(cls, *args, **kwargs):
        import uuid

        from anymail.backends.test import EmailBackend

        class _Backend(EmailBackend):
            def get_esp_message_id(self, message):
                return str(uuid.uuid4())

        return _Backend(*args, **kwargs)
