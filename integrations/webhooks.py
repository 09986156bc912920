"""Receiving Calendly deliveries: find the connection from the callback URL's token, verify
the signature over the raw body, store the event once, and queue its processing after commit.
Anything we cannot trust or read raises InvalidWebhook (answered 4xx) before a row is written.
"""

from __future__ import annotations

import enum
import json
import logging

from django.db import IntegrityError, transaction
from django.utils.dateparse import parse_datetime

from core.oncommit import enqueue_on_commit
from integrations import crypto
from integrations.calendly import signatures
from integrations.errors import InvalidWebhook
from integrations.models import CalendlyConnection, CalendlyWebhookEvent

logger = logging.getLogger(__name__)


class Received(enum.StrEnum):
    QUEUED = "queued"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"  # the coach disconnected: acknowledged, nothing stored


class UnknownEndpoint(InvalidWebhook):
    status_code = 404
    code = "unknown_endpoint"


def webhook_receive(*, webhook_token: str, body: bytes, signature: str | None) -> Received:
    connection = CalendlyConnection.objects.filter(webhook_token=webhook_token).first()
    if connection is None:
        raise UnknownEndpoint("No Calendly connection has this webhook URL.")
    if connection.state == CalendlyConnection.State.DISCONNECTED:
        logger.info("Calendly event for disconnected %s acknowledged and ignored", connection)
        return Received.IGNORED
    try:
        signing_key = crypto.decrypt(connection.signing_key_encrypted)
    except ValueError:
        logger.error("STAFF ATTENTION: signing key of %s cannot be decrypted", connection)
        raise InvalidWebhook("Signature cannot be checked.") from None
    signatures.verify(body, signature, signing_key)
    envelope = parse_envelope(body)
    return _store(connection, envelope)


def parse_envelope(body: bytes) -> dict:
    """`{event, created_at, created_by, payload}` with the fields we key on, or InvalidWebhook."""
    try:
        envelope = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidWebhook("Body is not JSON.") from None
    if not isinstance(envelope, dict):
        raise InvalidWebhook("Body is not a Calendly event.")
    event, payload = envelope.get("event"), envelope.get("payload")
    created_at = envelope.get("created_at")
    if not isinstance(event, str) or not event or not isinstance(payload, dict):
        raise InvalidWebhook("Body is not a Calendly event (event, payload).")
    when = parse_datetime(created_at) if isinstance(created_at, str) else None
    if when is None or when.tzinfo is None:
        raise InvalidWebhook("Body has no valid created_at.")
    subject = payload.get("uri")
    if not isinstance(subject, str) or not subject or len(subject) > 500:
        raise InvalidWebhook("Payload has no uri.")
    envelope["_created_at"] = when
    return envelope


def _store(connection: CalendlyConnection, envelope: dict) -> Received:
    when = envelope.pop("_created_at")
    key = {
        "event_type": envelope["event"][:64],
        "subject_uri": envelope["payload"]["uri"],
        "envelope_created_at": when,
    }
    try:
        with transaction.atomic():
            row = CalendlyWebhookEvent.objects.create(
                connection=connection, payload=envelope, **key
            )
            enqueue_on_commit(_process_task(), row.pk)
        return Received.QUEUED
    except IntegrityError:
        existing = CalendlyWebhookEvent.objects.filter(**key).first()
        if existing is not None and existing.status in (
            CalendlyWebhookEvent.Status.FAILED,
            CalendlyWebhookEvent.Status.RECEIVED,
        ):
            # Calendly retried one that failed (or was never picked up): try again.
            enqueue_on_commit(_process_task(), existing.pk)
        return Received.DUPLICATE


def _process_task():
    from integrations.tasks import process_calendly_event

    return process_calendly_event
