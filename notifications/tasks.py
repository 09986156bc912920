"""Celery adapters: load by id, call the service, retry with exponential backoff."""

from __future__ import annotations

from celery import shared_task

from notifications import emails


class EmailDeliveryError(Exception):
    """One delivery attempt failed; Celery retries the task after a backoff."""


@shared_task(bind=True, max_retries=None, acks_late=True)
def send_outbound_email(self, email_id: int) -> str:
    outcome = emails.outbound_email_send(email_id=email_id)
    if not outcome.should_retry:
        return outcome.status
    retry = self.retry(
        exc=EmailDeliveryError(outcome.error),
        countdown=emails.retry_delay(outcome.attempts),
        throw=False,
    )
    if self.request.is_eager:
        # Eager mode (embedded default, tests): returning the Retry makes Task.apply() run the
        # retry in-process at once (no backoff wait); raising it would escape as an error.
        return retry
    raise retry


@shared_task
def sweep_email_outbox() -> dict:
    return emails.outbox_sweep()


@shared_task
def send_due_reminders() -> dict:
    from notifications import reminders

    return reminders.send_due_reminders()
