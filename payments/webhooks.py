"""Stripe webhook processing: verify, record once, dispatch by type.

The event row is inserted in the SAME transaction as the event's effects. A duplicate
delivery hits the unique `stripe_event_id` and does nothing; a failure mid-way rolls back the
effects and the row together, is recorded as `failed` in its own transaction, and answered
500, so Stripe's retry processes the event again (a failed row is re-claimed, not skipped).
"""

from __future__ import annotations

import json
import logging
from enum import StrEnum
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from payments import finalize, gateway
from payments.errors import InvalidWebhook, PaymentError
from payments.locks import lock_payment_by_intent
from payments.models import WebhookEvent
from payments.money import from_minor_units

logger = logging.getLogger(__name__)


class Outcome(StrEnum):
    PROCESSED = "processed"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    # Signed by Stripe but unusable (data.object missing or not an object with an id):
    # recorded as failed for staff and answered 2xx, since a retry would be just as broken.
    MALFORMED = "malformed"


def _intent_succeeded(obj: dict[str, Any]) -> None:
    finalize.succeeded(intent=obj)


def _intent_failed(obj: dict[str, Any]) -> None:
    """Decided from the intent as Stripe has it now (re-fetched): a failure event can arrive
    after a later attempt succeeded, or while the money is authorized or processing."""
    status = obj.get("status")
    if status == "succeeded":
        finalize.succeeded(intent=obj)
    elif status == "requires_capture":
        finalize.authorized(intent=obj)
    elif status in ("processing", "requires_action", "requires_confirmation"):
        logger.info("payment_failed for %s ignored: the intent is %s", obj.get("id"), status)
    else:
        finalize.failed(intent=obj)


def _intent_authorized(obj: dict[str, Any]) -> None:
    if obj.get("status") == "requires_capture":
        finalize.authorized(intent=obj)


def _charge_refunded(charge: dict[str, Any]) -> None:
    """A refund made outside our refund service (e.g. the dashboard). Stripe sends the charge
    with its cumulative `amount_refunded`; we book the part we have not recorded yet."""
    payment = lock_payment_by_intent(finalize.stripe_id_of(charge.get("payment_intent")))
    if payment is None:
        return
    from payments.refunds.models import Refund

    if Refund.objects.filter(payment=payment, status=Refund.Status.PENDING).exists():
        # Our refund service is between its Stripe call and its booking (or retrying it):
        # it books the refund with its policy; booking it here would use the wrong one.
        return
    currency = str(charge.get("currency", payment.currency)).upper()
    refunded_total = from_minor_units(int(charge.get("amount_refunded") or 0), currency)
    new_amount = refunded_total - payment.amount_refunded
    if new_amount <= 0:
        return
    refunds = ((charge.get("refunds") or {}).get("data")) or []
    refund_id = refunds[0]["id"] if refunds else f"{charge['id']}:{charge.get('amount_refunded')}"
    if finalize.refunded(
        payment=payment, refund_id=refund_id, amount=new_amount, note="charge.refunded"
    ):
        from payments.services import notify_refund

        notify_refund(payment, min(new_amount, payment.charged_amount), "")


EVENT_HANDLERS = {
    "payment_intent.succeeded": _intent_succeeded,
    "payment_intent.payment_failed": _intent_failed,
    "payment_intent.amount_capturable_updated": _intent_authorized,
    "charge.refunded": _charge_refunded,
}
INTENT_EVENTS = {
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.amount_capturable_updated",
}


def parse_event(payload: bytes, signature: str | None) -> dict[str, Any]:
    if not signature:
        raise InvalidWebhook("Missing Stripe-Signature header.")
    try:
        gateway.webhook_construct_event(payload, signature)
        event = json.loads(payload)
    except Exception as exc:  # stripe.SignatureVerificationError, ValueError
        raise InvalidWebhook(str(exc)) from exc
    if (
        not isinstance(event, dict)
        or not isinstance(event.get("id"), str)
        or not isinstance(event.get("type"), str)
        or not event["id"]
        or not event["type"]
    ):
        raise InvalidWebhook("Not a Stripe event.")
    return event


def event_object(event: dict[str, Any]) -> dict[str, Any] | None:
    """`data.object` if it is an object with a string id, else None."""
    data = event.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    if not isinstance(obj, dict) or not isinstance(obj.get("id"), str) or not obj["id"]:
        return None
    return obj


def webhook_process(*, payload: bytes, signature: str | None) -> Outcome:
    """Verify and apply one delivery. Raises InvalidWebhook (answer 400) or any error of the
    effects (answer 500; recorded as a failed event for the retry). A signed event without a
    usable object is recorded as failed and returns MALFORMED (answered 2xx: no retry)."""
    return event_apply(parse_event(payload, signature))


def event_apply(event: dict[str, Any]) -> Outcome:
    """Apply one verified event once (the inbox row is claimed under its lock)."""
    handler = EVENT_HANDLERS.get(event["type"])
    obj = event_object(event)
    if handler is not None and obj is None:
        logger.error(
            "STAFF ATTENTION: webhook %s (%s) has no usable data.object", event["id"], event["type"]
        )
        event_record_failure(
            event, InvalidWebhook("data.object is missing or not an object with an id")
        )
        return Outcome.MALFORMED
    # From here on obj is None only when there is no handler (the early return above).
    if handler is not None and obj is not None and event["type"] in INTENT_EVENTS:
        obj = _fresh_intent(obj)
    try:
        with transaction.atomic():
            row, fresh = event_claim(event)
            if not fresh:
                return Outcome.DUPLICATE
            if handler is None or obj is None:
                row.status = WebhookEvent.Status.IGNORED
            else:
                handler(obj)
                row.status = WebhookEvent.Status.PROCESSED
            row.processed_at = timezone.now()
            row.error = ""
            row.save(update_fields=["status", "processed_at", "error", "attempts"])
            return Outcome.IGNORED if handler is None else Outcome.PROCESSED
    except Exception as exc:
        logger.exception("webhook %s (%s) failed; Stripe will retry", event["id"], event["type"])
        event_record_failure(event, exc)
        raise


def _fresh_intent(payload_intent: dict[str, Any]) -> dict[str, Any]:
    """The intent as Stripe has it now; the payload can be stale (events arrive out of order
    and late). If Stripe cannot be asked, the signed payload is the best we have."""
    try:
        return dict(gateway.payment_intent_retrieve(payload_intent["id"]).raw)
    except PaymentError as exc:
        logger.warning("using webhook payload for %s: %s", payload_intent.get("id"), exc.message)
        return payload_intent


def event_claim(event: dict[str, Any]) -> tuple[WebhookEvent, bool]:
    """Insert the event row (unique event id). Returns (row, True) when this delivery must be
    processed: a new event, or one whose earlier attempt failed."""
    try:
        with transaction.atomic():
            row = WebhookEvent.objects.create(
                stripe_event_id=event["id"], type=event["type"], payload=event, attempts=1
            )
        return row, True
    except IntegrityError:
        row = WebhookEvent.objects.select_for_update().get(stripe_event_id=event["id"])
        if row.status in (WebhookEvent.Status.FAILED, WebhookEvent.Status.RECEIVED):
            row.attempts += 1
            return row, True
        return row, False


def event_record_failure(event: dict[str, Any], exc: Exception) -> None:
    try:
        with transaction.atomic():
            row, created = WebhookEvent.objects.get_or_create(
                stripe_event_id=event["id"],
                defaults={
                    "type": event["type"],
                    "payload": event,
                    "status": WebhookEvent.Status.FAILED,
                    "attempts": 1,
                    "error": repr(exc)[:2000],
                },
            )
            if not created and row.status != WebhookEvent.Status.PROCESSED:
                WebhookEvent.objects.filter(pk=row.pk).update(
                    status=WebhookEvent.Status.FAILED,
                    attempts=F("attempts") + 1,
                    error=repr(exc)[:2000],
                )
    except Exception:
        logger.exception("could not record the failure of webhook %s", event["id"])


def webhook_event_retry(*, event_id: int) -> Outcome | None:
    """Staff: run a failed event's handler again on the payload recorded (verified when it
    arrived). Still once per event: `event_apply` claims the row under its lock, so a retry
    racing Stripe's own redelivery (or a second click) applies it once; the loser sees
    DUPLICATE. None when the event is not failed. Errors are recorded on the row and raised."""
    row = WebhookEvent.objects.filter(pk=event_id, status=WebhookEvent.Status.FAILED).first()
    if row is None or not isinstance(row.payload, dict):
        return None
    return event_apply(row.payload)
