"""Celery adapters: load by id, call the service, retry with exponential backoff."""

from __future__ import annotations

import logging

from celery import shared_task

from notifications import emails

logger = logging.getLogger("notifications.live")


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


@shared_task(acks_late=True)
def build_deferred_notification(deferred_id: int) -> bool:
    from notifications.deferred import deferred_notification_build

    return deferred_notification_build(deferred_id=deferred_id)


@shared_task
def sweep_deferred_notifications() -> int:
    from notifications.deferred import deferred_notifications_sweep

    return deferred_notifications_sweep()


@shared_task
def send_due_reminders() -> dict:
    from notifications import reminders

    return reminders.send_due_reminders()


# Live pushes: queued on commit by notifications.live. No retries: a push that fails is logged
# and the page shows the truth on its next load or poll; the result is never read.


@shared_task(ignore_result=True)
def push_webinar_state(webinar_id: int) -> None:
    from notifications import live

    try:
        live.push_webinar_state_now(webinar_id)
    except Exception:
        logger.exception("Live update of webinar %s failed", webinar_id)


@shared_task(ignore_result=True)
def push_booking_panel(registration_id: int) -> None:
    from notifications import live

    try:
        live.push_booking_panel_now(registration_id)
    except Exception:
        logger.exception("Live update of registration %s's panel failed", registration_id)


@shared_task(ignore_result=True)
def push_booking_status(booking_id: int) -> None:
    from notifications import live

    try:
        live.push_booking_status_now(booking_id)
    except Exception:
        logger.exception("Live update of booking %s failed", booking_id)


@shared_task(ignore_result=True)
def push_notification(notification_id: int) -> None:
    from notifications import live

    try:
        live.push_notification_now(notification_id)
    except Exception:
        logger.exception("Live push of notification %s failed", notification_id)


@shared_task(ignore_result=True)
def push_bell(user_id: int) -> None:
    from notifications import live

    try:
        live.push_bell_now(user_id)
    except Exception:
        logger.exception("Live update of user %s's bell failed", user_id)
