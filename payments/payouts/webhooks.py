"""The Connect webhook endpoint: `account.updated` (readiness), `transfer.created` and
`transfer.reversed` (what the coach sees). Verified with STRIPE_CONNECT_WEBHOOK_SECRET and
deduplicated in the same inbox as the platform endpoint (payments.webhooks): one effect per
event id, effects and inbox row in one transaction. Events whose livemode differs from our
key's are ignored (a live Connect endpoint also receives test events)."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from payments.errors import InvalidWebhook
from payments.models import WebhookEvent
from payments.money import from_minor_units
from payments.payouts import gateway
from payments.webhooks import Outcome, event_claim, event_record_failure

logger = logging.getLogger(__name__)


def _account_updated(event: dict[str, Any]) -> None:
    from payments.payouts.connect import connect_account_apply

    connect_account_apply(account=event["data"]["object"])


def _transfer_created(event: dict[str, Any]) -> None:
    """Records the transfer id on its item if our run crashed before doing so."""
    from payments.payouts.models import PayoutItem

    transfer = event["data"]["object"]
    item_id = (transfer.get("metadata") or {}).get("payout_item_id")
    if item_id and str(item_id).isdigit():
        PayoutItem.objects.filter(pk=int(item_id), stripe_transfer_id="").update(
            stripe_transfer_id=transfer["id"]
        )


def _transfer_reversed(event: dict[str, Any]) -> None:
    from payments.payouts.models import PayoutItem

    transfer = event["data"]["object"]
    item = PayoutItem.objects.select_for_update().filter(stripe_transfer_id=transfer["id"]).first()
    if item is None:
        return
    reversed_total = from_minor_units(int(transfer.get("amount_reversed") or 0), item.currency)
    if reversed_total > item.amount_reversed:
        item.amount_reversed = reversed_total
        item.save(update_fields=["amount_reversed", "updated_at"])


HANDLERS = {
    "account.updated": _account_updated,
    "transfer.created": _transfer_created,
    "transfer.reversed": _transfer_reversed,
}
# Real Stripe sends transfer.* (platform objects) to the platform endpoint: the same handlers.
PLATFORM_HANDLERS = {
    key: (lambda obj, fn=fn: fn({"data": {"object": obj}}))
    for key, fn in HANDLERS.items()
    if key.startswith("transfer.")
}


def parse_connect_event(payload: bytes, signature: str | None) -> dict[str, Any]:
    if not signature:
        raise InvalidWebhook("Missing Stripe-Signature header.")
    try:
        gateway.connect_webhook_construct_event(payload, signature)
        event = json.loads(payload)
    except Exception as exc:  # stripe.SignatureVerificationError, ValueError
        raise InvalidWebhook(str(exc)) from exc
    if not isinstance(event, dict) or not event.get("id") or not event.get("type"):
        raise InvalidWebhook("Not a Stripe event.")
    return event


def connect_webhook_process(*, payload: bytes, signature: str | None) -> Outcome:
    event = parse_connect_event(payload, signature)
    live_key = settings.STRIPE_SECRET_KEY.startswith(("sk_live_", "rk_live_"))
    handler = HANDLERS.get(event["type"])
    if bool(event.get("livemode")) != live_key:
        handler = None
    try:
        with transaction.atomic():
            row, fresh = event_claim(event)
            if not fresh:
                return Outcome.DUPLICATE
            if handler is not None:
                handler(event)
            row.status = (
                WebhookEvent.Status.IGNORED if handler is None else WebhookEvent.Status.PROCESSED
            )
            row.processed_at = timezone.now()
            row.error = ""
            row.save(update_fields=["status", "processed_at", "error", "attempts"])
            return Outcome.IGNORED if handler is None else Outcome.PROCESSED
    except Exception as exc:
        logger.exception("connect webhook %s (%s) failed", event["id"], event["type"])
        event_record_failure(event, exc)
        raise
