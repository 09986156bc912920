"""Sending one outbox row, exactly once.

`outbound_email_send` claims the row with one conditional UPDATE (queued -> sending), so of
two workers, or a retry racing a slow attempt, only one sends; a row that reached `sent` is
never claimed again. A worker that dies between the SMTP "250 OK" and marking the row sent
leaves it in `sending`; `outbox_sweep` then marks it failed for staff to check instead of
sending it a second time (at most once beats a duplicate invoice in someone's inbox).
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMultiAlternatives, get_connection
from django.db.models import F
from django.utils import timezone

from notifications.models import OutboundEmail

logger = logging.getLogger(__name__)

Status = OutboundEmail.Status


def max_attempts() -> int:
    return getattr(settings, "NOTIFICATIONS_EMAIL_MAX_ATTEMPTS", 5)


def retry_delay(attempts: int) -> int:
    """Exponential backoff in seconds after the `attempts`-th failure: 30, 60, 120, 240..."""
    base = getattr(settings, "NOTIFICATIONS_EMAIL_RETRY_BASE_SECONDS", 30)
    return int(base * 2 ** max(attempts - 1, 0))


@dataclass(frozen=True)
class SendOutcome:
    status: str  # sent | skipped | suppressed | retry | failed
    attempts: int = 0
    error: str = ""

    @property
    def should_retry(self) -> bool:
        return self.status == "retry"


def _claim(email_id: int) -> bool:
    return bool(
        OutboundEmail.objects.filter(pk=email_id, status=Status.QUEUED).update(
            status=Status.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
        )
    )


def _message(email: OutboundEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to_email],
        headers={"X-Outbound-Email-Id": str(email.pk)},
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    if email.ics_content:
        method = email.ics_method or "REQUEST"
        filename = "cancel.ics" if method == "CANCEL" else "invite.ics"
        message.attach(filename, email.ics_content, f"text/calendar; method={method}")
    return message


def is_permanent(error: Exception) -> bool:
    """An error no retry can cure: the message itself is refused (a header with a line break,
    an address that cannot be encoded) or the server answered 5xx ("no such user", "message
    rejected"). Everything else (timeouts, disconnects, 4xx "try later") is worth a retry."""
    if isinstance(error, (BadHeaderError, UnicodeEncodeError)):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 500 <= error.smtp_code < 600
    return False


def outbound_email_send(*, email_id: int) -> SendOutcome:
    """Send outbox row `email_id` if it is queued. Never raises for SMTP errors: the outcome
    says whether to retry (row back to queued) or give up (row failed)."""
    if not _claim(email_id):
        return SendOutcome("skipped")
    email = OutboundEmail.objects.get(pk=email_id)
    from notifications.suppressions import is_suppressed

    if is_suppressed(email.to_email):
        # Suppressed after this row was queued (a bounce came in meanwhile): never sent.
        OutboundEmail.objects.filter(pk=email_id, status=Status.SENDING).update(
            status=Status.SUPPRESSED, last_error="The address is suppressed (bounce/complaint)."
        )
        return SendOutcome("suppressed", email.attempts)
    message = _message(email)
    try:
        with get_connection(fail_silently=False) as connection:
            connection.send_messages([message])
    except Exception as error:  # SMTP, DNS, TLS, provider API: transient unless it says not
        permanent = is_permanent(error)
        text = f"{'permanent, not retried: ' if permanent else ''}{type(error).__name__}: {error}"
        text = text[:2000]
        final = permanent or email.attempts >= max_attempts()
        OutboundEmail.objects.filter(pk=email_id, status=Status.SENDING).update(
            status=Status.FAILED if final else Status.QUEUED, last_error=text
        )
        logger.warning("Email %s attempt %s failed: %s", email_id, email.attempts, text)
        return SendOutcome("failed" if final else "retry", email.attempts, text)
    OutboundEmail.objects.filter(pk=email_id).update(
        status=Status.SENT,
        sent_at=timezone.now(),
        last_error="",
        provider_message_id=provider_message_id(message),
    )
    return SendOutcome("sent", email.attempts)


def provider_message_id(message) -> str:
    """The id the provider gave the message (anymail sets `anymail_status` on it; the SMTP
    and file backends do not, then ""). Its tracking webhook names the message by this id."""
    status = getattr(message, "anymail_status", None)
    message_id = getattr(status, "message_id", None) if status is not None else None
    if not message_id:
        return ""
    if isinstance(message_id, (set, frozenset, list, tuple)):  # several recipients
        message_id = sorted(str(m) for m in message_id if m)[0] if message_id else ""
    return str(message_id)[:255]


def outbox_sweep(*, stale_after: timedelta = timedelta(minutes=10)) -> dict[str, int]:
    """Beat: re-queue emails whose task was lost (broker restart) and flag ones whose worker
    died mid-send. Returns counts for logging."""
    from notifications.tasks import send_outbound_email

    cutoff = timezone.now() - stale_after
    abandoned = OutboundEmail.objects.filter(status=Status.SENDING, claimed_at__lt=cutoff).update(
        status=Status.FAILED,
        last_error="The worker stopped while sending; check the mail log before retrying.",
    )
    requeued = 0
    lost = OutboundEmail.objects.filter(status=Status.QUEUED, created_at__lt=cutoff).filter(
        claimed_at__isnull=True
    ) | OutboundEmail.objects.filter(status=Status.QUEUED, claimed_at__lt=cutoff)
    for email_id in lost.values_list("pk", flat=True)[:500]:
        send_outbound_email.delay(email_id)
        requeued += 1
    return {"abandoned": abandoned, "requeued": requeued}
