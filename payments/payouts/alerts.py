"""Staff alerts for payouts that need a human (a transfer failed after every retry)."""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model

logger = logging.getLogger(__name__)


def payout_failed_alert(*, item_id: int) -> None:
    from notifications.services import notify
    from notifications.types import NotificationType
    from payments.payouts.models import PayoutItem

    item = PayoutItem.objects.select_related("coach__user").get(pk=item_id)
    logger.error(
        "STAFF ATTENTION: payout item %s (coach %s, %s %s) failed: %s",
        item.pk,
        item.coach_id,
        item.currency,
        item.transfer_amount,
        item.last_error,
    )
    for staff in get_user_model().objects.filter(is_staff=True, is_active=True, is_superuser=True):
        notify(
            recipient=staff,
            type=NotificationType.PAYOUT_FAILED,
            target=item,
            context={"error": item.last_error[:200], "coach": str(item.coach)},
        )
