"""Connect events: stored, then posted to the Connect endpoint signed with its own secret
(Stripe's `Stripe-Signature: t=...,v1=HMAC-SHA256(secret, "t.payload")`)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import time
from typing import TYPE_CHECKING, Any

from payments.connect_standin.store import new_id

if TYPE_CHECKING:
    from payments.connect_standin.store import ConnectStore


logger = logging.getLogger("localstripe.connect")
ENDPOINT = {"url": "", "secret": ""}
API_VERSION = "2024-06-20"
_PENDING: set[asyncio.Task[None]] = set()  # tasks must be referenced until done


def configure(*, url: str, secret: str) -> None:
    ENDPOINT.update(url=url or "", secret=secret or "")


def emit(
    store: ConnectStore,
    event_type: str,
    obj: dict[str, Any],
    *,
    account: str | None = None,
    previous: dict[str, Any] | None = None,
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "id": new_id("evt_1", 24),
        "object": "event",
        "api_version": API_VERSION,
        "created": int(time.time()),
        "data": {"object": obj, **({"previous_attributes": previous} if previous else {})},
        "livemode": False,
        "pending_webhooks": 1 if ENDPOINT["url"] else 0,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }
    if account:
        event["account"] = account
    store.put("event", event["id"], event)
    if ENDPOINT["url"]:
        with contextlib.suppress(RuntimeError):  # no loop (outside the server): stored only
            task = asyncio.get_running_loop().create_task(_deliver(event, dict(ENDPOINT)))
            _PENDING.add(task)
            task.add_done_callback(_PENDING.discard)
    return event


def signature_header(payload: bytes, secret: str, timestamp: int) -> str:
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


async def _deliver(event: dict[str, Any], endpoint: dict[str, Any], attempts: int = 3) -> None:
    import aiohttp

    payload = json.dumps(event, sort_keys=True).encode()
    await asyncio.sleep(0.05)  # after the API response, like Stripe
    for attempt in range(attempts):
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Stripe-Signature": signature_header(payload, endpoint["secret"], int(time.time())),
        }
        try:
            async with (
                aiohttp.ClientSession() as session,
                session.post(endpoint["url"], data=payload, headers=headers) as r,
            ):
                if 200 <= r.status < 300:
                    logger.info("connect webhook %s delivered", event["type"])
                    return
                logger.info("connect webhook %s answered %s", event["type"], r.status)
        except aiohttp.ClientError as exc:
            logger.info("connect webhook %s failed: %s", event["type"], exc)
        await asyncio.sleep(0.5 * 2**attempt)
