"""Posting signed Calendly deliveries to our webhook, as Calendly would."""

from __future__ import annotations

import json
import time

from integrations import crypto
from integrations.calendly.signatures import HEADER, sign


def webhook_path(connection) -> str:
    return f"/integrations/calendly/webhook/{connection.webhook_token}/"


def for_connection(envelope: dict, connection) -> dict:
    """A recorded envelope addressed to `connection`'s Calendly user (event_memberships and
    created_by name the coach's Calendly user, as Calendly's would)."""
    envelope["created_by"] = connection.user_uri
    event = envelope["payload"].get("scheduled_event")
    if isinstance(event, dict):
        for membership in event.get("event_memberships", []):
            membership["user"] = connection.user_uri
    return envelope


def post_signed(client, connection, envelope: dict | bytes, *, key=None, t=None, header=None):
    body = envelope if isinstance(envelope, bytes) else json.dumps(envelope).encode()
    signing_key = key or crypto.decrypt(connection.signing_key_encrypted)
    signature = header if header is not None else sign(body, signing_key, timestamp=t)
    headers = {HEADER: signature} if signature else {}
    return client.post(
        webhook_path(connection), data=body, content_type="application/json", headers=headers
    )


def now() -> int:
    return int(time.time())
