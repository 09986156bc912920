"""The harness itself: the live server speaks websockets, and the private localstripe's signed
webhooks reach the server (a wrong wiring here would make every payment test time out)."""

import time
from decimal import Decimal

import requests
from django.conf import settings

from payments import gateway
from payments.models import WebhookEvent


def test_live_server_answers_websocket_ping_through_the_channel_layer(page, live_stack):
    page.goto("/")

    reply = page.evaluate(
        """(url) => new Promise((resolve, reject) => {
            const socket = new WebSocket(url);
            socket.onopen = () => socket.send(JSON.stringify({hello: "browser"}));
            socket.onmessage = (event) => { resolve(JSON.parse(event.data)); socket.close(); };
            socket.onerror = () => reject(new Error("websocket error"));
        })""",
        live_stack.url.replace("http://", "ws://") + "/ws/ping/",
    )

    assert reply == {"type": "pong", "echo": {"hello": "browser"}}


def test_localstripe_webhook_reaches_the_live_server_with_a_valid_signature(live_stack):
    customer = gateway.customer_create(
        email="hook@example.com", name="Hook", user_id=1, idempotency_key="hook-customer"
    )
    card = requests.post(
        f"{live_stack.localstripe_base}/v1/payment_methods",
        auth=(settings.STRIPE_SECRET_KEY, ""),
        data={
            "type": "card",
            "card[number]": "4242424242424242",
            "card[exp_month]": "12",
            "card[exp_year]": "2031",
            "card[cvc]": "123",
        },
        timeout=5,
    ).json()
    intent = gateway.payment_intent_create(
        amount=Decimal("10.00"),
        currency="CHF",
        customer_id=customer["id"],
        metadata={},
        idempotency_key="hook-intent",
    ).raw
    gateway.payment_intent_confirm_with(
        payment_intent_id=intent["id"], payment_method_id=card["id"], idempotency_key="hook"
    )

    deadline = time.monotonic() + 20
    event = None
    while event is None and time.monotonic() < deadline:
        event = WebhookEvent.objects.filter(type="payment_intent.succeeded").first()
        time.sleep(0.2)
    assert event is not None, live_stack.server_log()
    assert event.payload["data"]["object"]["id"] == intent["id"]
