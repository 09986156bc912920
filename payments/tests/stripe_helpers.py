"""Helpers to talk to the test localstripe and to deliver signed webhooks to our endpoint.

localstripe signs and posts events itself when a webhook URL is registered; a test that runs
without a live server takes the very event localstripe generated (GET /v1/events) and posts
it to our endpoint signed with the configured secret, exactly as localstripe would. Event
types localstripe never sends (charge.refunded) are hand-written in Stripe's documented shape.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import requests
from django.conf import settings
from django.urls import reverse

from payments import gateway

WEBHOOK_URL = "/payments/stripe/webhook/"


def sign(payload: bytes, secret: str | None = None, timestamp: int | None = None) -> str:
    secret = secret or settings.STRIPE_WEBHOOK_SECRET
    timestamp = timestamp or int(time.time())
    signature = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={signature}"


def post_event(client, event: dict, *, secret: str | None = None, signature: str | None = None):
    payload = json.dumps(event).encode()
    headers = {}
    if signature is not False:
        headers["HTTP_STRIPE_SIGNATURE"] = signature or sign(payload, secret)
    return client.post(
        reverse("payments:stripe_webhook"), data=payload, content_type="application/json", **headers
    )


def localstripe_events(base: str, *, event_type: str, payment_intent_id: str) -> list[dict]:
    """Events localstripe generated for one intent (newest first)."""
    response = requests.get(
        f"{base}/v1/events",
        params={"type": event_type},
        headers={"Authorization": f"Bearer {settings.STRIPE_SECRET_KEY}"},
        timeout=5,
    )
    response.raise_for_status()
    return [e for e in response.json()["data"] if e["data"]["object"]["id"] == payment_intent_id]


def event_for(event_type: str, obj: dict, *, event_id: str | None = None) -> dict:
    """A hand-written event in Stripe's shape."""
    return {
        "id": event_id or f"evt_test_{obj['id']}_{event_type}",
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": obj},
    }


def saved_card(user, number_alias: str = "pm_card_visa") -> str:
    """What the Card Element + SetupIntent leave behind: a card attached to the user's
    customer. Returns the payment method id."""
    from payments.services import customer_ensure

    customer_id = customer_ensure(user=user)
    card = gateway.payment_method_attach(
        payment_method_id=number_alias, customer_id=customer_id, idempotency_key=f"t-{number_alias}"
    )
    return card["id"]


def card_with_number(user, number: str) -> str:
    """A saved card with a specific test number (declines, 3-D Secure)."""
    from payments.services import customer_ensure

    customer_id = customer_ensure(user=user)
    created = gateway.client().v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"},
        }
    )
    card = gateway.payment_method_attach(
        payment_method_id=created.id, customer_id=customer_id, idempotency_key=f"t-{created.id}"
    )
    return card["id"]
