"""Celery adapters: load by id, call a service."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=6, acks_late=True)
def process_calendly_event(self, event_id: int) -> str:
    from integrations.processing import event_process

    try:
        return event_process(event_id=event_id)
    except Exception as exc:
        if self.request.is_eager:
            # In-process (embedded default): the row stays failed; the sweep retries it.
            return "failed"
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc


@shared_task
def retry_stuck_calendly_events() -> int:
    """Rows received or failed a while ago (broker down, worker died): process them again."""
    from integrations.models import CalendlyWebhookEvent
    from integrations.processing import event_process

    before = timezone.now() - dt.timedelta(minutes=5)
    stuck = CalendlyWebhookEvent.objects.filter(
        status__in=[CalendlyWebhookEvent.Status.RECEIVED, CalendlyWebhookEvent.Status.FAILED],
        received_at__lt=before,
        attempts__lt=10,
    ).values_list("pk", flat=True)[:200]
    done = 0
    for event_id in stuck:
        try:
            event_process(event_id=event_id)
            done += 1
        except Exception:  # recorded on the row by event_process
            continue
    return done


@shared_task
def check_calendly_subscriptions() -> int:
    """Daily: is each active subscription still active at Calendly? (disabled → coach told)"""
    from integrations.models import CalendlyConnection
    from integrations.services import calendly_check_subscription

    checked = 0
    for connection_id in CalendlyConnection.objects.filter(
        state=CalendlyConnection.State.ACTIVE
    ).values_list("pk", flat=True):
        calendly_check_subscription(connection_id=connection_id)
        checked += 1
    return checked
