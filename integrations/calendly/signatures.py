"""Calendly webhook signatures (developer.calendly.com/api-docs/overview/webhooks/
webhook-signatures): header `Calendly-Webhook-Signature: t=<unix seconds>,v1=<hex>`, where v1
is HMAC-SHA256 keyed with the subscription's signing key over `t + "." + raw body`."""

from __future__ import annotations

import hashlib
import hmac
import time

from integrations.errors import InvalidWebhook

HEADER = "Calendly-Webhook-Signature"
# Botpress, Nango and Hookdeck all allow 180 s; de-duplication covers the replays inside it.
TOLERANCE_SECONDS = 180


def sign(body: bytes, signing_key: str, *, timestamp: int | None = None) -> str:
    """The header value Calendly would send for `body` (the stand-in and tests use it)."""
    t = int(time.time()) if timestamp is None else int(timestamp)
    digest = hmac.new(signing_key.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def verify(body: bytes, header: str | None, signing_key: str, *, now: float | None = None) -> None:
    """Raise InvalidWebhook unless `header` signs `body` with `signing_key` within the window."""
    if not header:
        raise InvalidWebhook(f"Missing {HEADER} header.")
    parts: dict[str, str] = {}
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        parts.setdefault(key, value)
    try:
        t = int(parts.get("t", ""))
    except ValueError:
        raise InvalidWebhook("Malformed signature header (t).") from None
    given = parts.get("v1", "")
    if not given:
        raise InvalidWebhook("Malformed signature header (v1).")
    current = time.time() if now is None else now
    if abs(current - t) > TOLERANCE_SECONDS:
        raise InvalidWebhook("Signature timestamp outside the allowed window.")
    expected = hmac.new(signing_key.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, given):
        raise InvalidWebhook("Signature does not match.")
