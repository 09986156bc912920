"""Our Stripe gateway against localstripe: what we create there can be fetched back."""

from decimal import Decimal

import requests
from django.conf import settings

from payments import gateway


def fetch(localstripe, path: str) -> dict:
    """Read straight from localstripe's API, not through the gateway under test."""
    response = requests.get(
        f"{localstripe['base']}/v1/{path}",
        auth=(settings.STRIPE_SECRET_KEY, ""),
        timeout=5,
    )
    response.raise_for_status()
    return response.json()


def test_customer_and_payment_intent_round_trip(localstripe):
    customer = gateway.customer_create(
        email="ada@example.com", name="Ada Lovelace", user_id=7, idempotency_key="customer-7"
    )
    intent = gateway.payment_intent_create(
        amount=Decimal("150.00"),
        currency="CHF",
        customer_id=customer["id"],
        metadata={"registration_id": "42", "price_reason": "regular"},
        idempotency_key="registration-42",
    ).raw

    stored_customer = fetch(localstripe, f"customers/{customer['id']}")
    stored_intent = fetch(localstripe, f"payment_intents/{intent['id']}")
    assert stored_customer["email"] == "ada@example.com"
    assert stored_customer["metadata"] == {"user_id": "7"}
    assert stored_intent["amount"] == 15000  # minor units at Stripe
    assert stored_intent["currency"] == "chf"
    assert stored_intent["customer"] == customer["id"]
    assert stored_intent["metadata"]["registration_id"] == "42"
    assert stored_intent["status"] == "requires_payment_method"
    assert intent["client_secret"]
    assert gateway.payment_intent_retrieve(intent["id"]).id == intent["id"]


def test_zero_decimal_currency_is_sent_in_whole_units(localstripe):
    customer = gateway.customer_create(
        email="ken@example.com", name="Ken", user_id=8, idempotency_key="customer-8"
    )

    intent = gateway.payment_intent_create(
        amount=Decimal("5000"),
        currency="JPY",
        customer_id=customer["id"],
        metadata={},
        idempotency_key="jpy-1",
    ).raw

    assert fetch(localstripe, f"payment_intents/{intent['id']}")["amount"] == 5000


def test_gateway_talks_to_the_configured_local_base(localstripe):
    assert localstripe["base"] == settings.STRIPE_API_BASE
    assert settings.STRIPE_API_BASE.startswith("http://127.0.0.1:")
