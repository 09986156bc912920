"""Reads of the staff Command Center (`/staff/`): what is stuck, how many and since when.

Every row is a count and the age of its oldest item, with the admin changelist filtered to
those items. Counts come from the database; the Celery queue depth from the broker (the Redis
list of the default queue), read with 1 s timeouts so a broker that is down shows as such."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone

PUBLISHED_AT_HEADER = "published_at"  # set on every task message (core.apps)


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    count: int | None  # None: could not be read (broker down or not configured)
    oldest_age: timedelta | None
    url: str = ""
    note: str = ""

    @property
    def oldest_text(self) -> str:
        """ "3 d 4 h", "2 h 5 min", "40 s"; "–" when there is nothing or no age."""
        if self.oldest_age is None:
            return "–"
        seconds = int(self.oldest_age.total_seconds())
        days, rest = divmod(seconds, 86400)
        hours, rest = divmod(rest, 3600)
        minutes, seconds = divmod(rest, 60)
        if days:
            return f"{days} d {hours} h"
        if hours:
            return f"{hours} h {minutes} min"
        return f"{minutes} min" if minutes else f"{seconds} s"


def stamp_published_at(headers=None, **_kwargs) -> None:
    """before_task_publish: the time a task message was queued, for the queue's oldest age."""
    if isinstance(headers, dict):
        headers.setdefault(PUBLISHED_AT_HEADER, time.time())


def _changelist(model_label: str, **filters) -> str:
    app_label, model = model_label.split(".")
    url = reverse(f"admin:{app_label}_{model}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def _age(now: datetime, oldest: datetime | None) -> timedelta | None:
    return None if oldest is None else max(now - oldest, timedelta(0))


def celery_queue_row(*, now: datetime) -> Row:
    from config.celery import app

    label = "Celery tasks waiting in the queue"
    broker = app.conf.broker_url or ""
    if urlsplit(broker).scheme not in {"redis", "rediss"}:
        return Row("celery_queue", label, None, None, note="not configured (tasks run eagerly)")
    import redis

    queue = app.conf.task_default_queue or "celery"
    try:
        client = redis.Redis.from_url(broker, socket_timeout=1.0, socket_connect_timeout=1.0)
        try:
            depth = int(client.llen(queue))
            # kombu LPUSHes and workers BRPOP: the oldest message is at the right end.
            oldest_raw = client.lindex(queue, -1) if depth else None
        finally:
            client.close()
    except Exception:
        return Row("celery_queue", label, None, None, note="broker down")
    oldest_age = None
    if oldest_raw:
        try:
            published = json.loads(oldest_raw)["headers"][PUBLISHED_AT_HEADER]
            oldest_age = _age(now, datetime.fromtimestamp(float(published), tz=UTC))
        except (ValueError, KeyError, TypeError):
            oldest_age = None  # a message queued before the header existed
    return Row("celery_queue", label, depth, oldest_age, note=f"queue “{queue}”")


def _db_row(key, label, queryset, *, now, date_field, url, note="") -> Row:
    stats = queryset.aggregate(count=Count("pk"), oldest=Min(date_field))
    return Row(key, label, stats["count"], _age(now, stats["oldest"]), url, note)


def command_center_rows(*, now: datetime | None = None) -> list[Row]:
    from notifications.models import OutboundEmail
    from payments.disputes.models import OPEN_STATUSES, Dispute
    from payments.models import Payment, WebhookEvent
    from payments.payouts.models import PayoutItem
    from payments.refunds.models import Refund, RefundRequest

    now = now or timezone.now()
    stale_before = now - timedelta(minutes=settings.PAYMENT_RECONCILE_AFTER_MINUTES)
    emails = OutboundEmail.objects.all()
    payments = Payment.objects.all()
    return [
        celery_queue_row(now=now),
        _db_row(
            "emails_failed",
            "Failed emails",
            emails.filter(status=OutboundEmail.Status.FAILED),
            now=now,
            date_field="created_at",
            url=_changelist("notifications.outboundemail", status__exact="failed"),
        ),
        _db_row(
            "emails_queued",
            "Emails waiting to be sent",
            emails.filter(status=OutboundEmail.Status.QUEUED),
            now=now,
            date_field="created_at",
            url=_changelist("notifications.outboundemail", status__exact="queued"),
        ),
        _db_row(
            "webhooks_failed",
            "Failed webhook events",
            WebhookEvent.objects.filter(status=WebhookEvent.Status.FAILED),
            now=now,
            date_field="received_at",
            url=_changelist("payments.webhookevent", status__exact="failed"),
        ),
        _db_row(
            "payments_stuck",
            "Payments stuck in processing",
            payments.filter(status=Payment.Status.PROCESSING, updated_at__lt=stale_before),
            now=now,
            date_field="updated_at",
            url=_changelist(
                "payments.payment",
                status__exact="processing",
                updated_at__lt=stale_before.isoformat(),
            ),
            note=f"no change for {settings.PAYMENT_RECONCILE_AFTER_MINUTES} minutes",
        ),
        _db_row(
            "refunds_owed",
            "Refunds owed",
            payments.exclude(refund_owed_reason=""),
            now=now,
            date_field="updated_at",
            url=_changelist("payments.payment", refund_owed_reason__gt=""),
        ),
        _db_row(
            "payouts_failed",
            "Payout items failed",
            PayoutItem.objects.filter(status=PayoutItem.Status.FAILED),
            now=now,
            date_field="created_at",
            url=_changelist("payments.payoutitem", status__exact="failed"),
            note="retries used up: transfer by hand or fix the account, then reset",
        ),
        _dispute_row(Dispute.objects.filter(outcome="", status__in=OPEN_STATUSES), now=now),
        _db_row(
            "refund_requests_escalated",
            "Refund requests for staff",
            RefundRequest.objects.filter(status=RefundRequest.Status.ESCALATED),
            now=now,
            date_field="escalated_at",
            url=_changelist("payments.refundrequest", status__exact="escalated"),
            note="the coach declined or did not answer; staff decide (final)",
        ),
        _db_row(
            "refunds_pending",
            "Refunds pending at Stripe",
            Refund.objects.filter(status=Refund.Status.PENDING, updated_at__lt=stale_before),
            now=now,
            date_field="created_at",
            url=_changelist("payments.refund", status__exact="pending"),
            note="reconcile_payments retries them with the same idempotency key",
        ),
    ]


def _dispute_row(open_disputes, *, now: datetime) -> Row:
    """Open disputes, oldest first in the admin; the note names the nearest evidence deadline."""
    next_due = open_disputes.filter(submitted_at__isnull=True).aggregate(due=Min("due_by"))["due"]
    note = f"next evidence due {next_due:%Y-%m-%d %H:%M} UTC" if next_due else ""
    return _db_row(
        "disputes_open",
        "Open disputes",
        open_disputes,
        now=now,
        date_field="created_at",
        url=_changelist("payments.dispute", state="open"),
        note=note,
    )


def failed_webhook_events(*, limit: int = 20):
    from payments.models import WebhookEvent

    return WebhookEvent.objects.filter(status=WebhookEvent.Status.FAILED).order_by("received_at")[
        :limit
    ]
