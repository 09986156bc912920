"""Notices built after commit, outside the writer's locks (issue 11 item 3; DESIGN: "After
commit: notifications, email, websocket push").

A write that holds a hot row lock (a seat confirmation under the webinar lock, a payment
webhook) calls `notify_after_commit()` instead of `notify()`: one INSERT of a
`DeferredNotification` in its transaction, so the notice commits or rolls back with the
change it reports, and nothing is rendered while the lock is held. After commit a task builds
it with `notify()` (preferences, in-app row, outbox email, live bell) and deletes the row in
that same transaction: built once, even when the task and the sweep race (the row is locked
with SKIP LOCKED). The target is re-read when the notice is built, so it describes the target
as it is then.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from core.oncommit import enqueue_on_commit
from notifications.models import DeferredNotification
from notifications.types import NotificationType

logger = logging.getLogger(__name__)

SWEEP_AFTER = timedelta(minutes=1)  # a row older than this was not built by its own task


def notify_after_commit(
    *, recipient, type: NotificationType | str, target=None, context: dict | None = None
) -> DeferredNotification:  # noqa: A002 - notify()'s name for it
    """`notify(recipient=..., type=..., target=..., context=...)` once the current
    transaction commits. Context values are stored as JSON (numbers, strings, booleans;
    anything else, e.g. a Decimal amount, as its string)."""
    from notifications.services import json_safe

    row = DeferredNotification.objects.create(
        recipient=recipient,
        type=NotificationType(type),  # an unknown type fails here, in the caller's transaction
        target_model=target._meta.label_lower if target is not None else "",
        target_id=target.pk if target is not None else None,
        context=json_safe(dict(context or {})),
    )
    from notifications.tasks import build_deferred_notification

    enqueue_on_commit(
        build_deferred_notification, row.pk, retry_note="the deferred-notification sweep builds it"
    )
    return row


def deferred_notification_build(*, deferred_id: int) -> bool:
    """Build one deferred notice and delete its row, in one transaction. False when it is
    gone (already built) or locked by whoever is building it right now."""
    from notifications.services import notify

    with transaction.atomic():
        row = (
            DeferredNotification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=deferred_id)
            .first()
        )
        if row is None:
            return False
        target = None
        if row.target_model:
            try:
                model = apps.get_model(row.target_model)
            except (LookupError, ValueError):
                model = None
            target = model._default_manager.filter(pk=row.target_id).first() if model else None
            if target is None:
                logger.warning(
                    "Deferred %s for user %s: its target %s:%s is gone; not sent",
                    row.type, row.recipient_id, row.target_model, row.target_id,
                )  # fmt: skip
                row.delete()
                return False
        notify(recipient=row.recipient, type=row.type, target=target, context=row.context)
        row.delete()
        return True


def deferred_notifications_sweep(*, now: datetime | None = None) -> int:
    """Build the rows whose own task never ran (beat, every minute). Returns how many."""
    cutoff = (now or timezone.now()) - SWEEP_AFTER
    ids = list(
        DeferredNotification.objects.filter(created_at__lte=cutoff)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:500]
    )
    return sum(deferred_notification_build(deferred_id=pk) for pk in ids)
