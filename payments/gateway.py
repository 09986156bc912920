"""The one place that talks to Stripe, through the official SDK.

With STRIPE_API_BASE set (local mode) the SDK is pointed at localstripe on 127.0.0.1; in
production it talks to api.stripe.com. Every write carries an idempotency key. SDK errors are
translated into payments.errors so callers never see Stripe's exception classes. Never call
this while holding a database row lock (see STYLE.md).
"""

from __future__ import annotations

import logging
from decimal import Decimal
from functools import lru_cache
from typing import Any

import stripe
from django.conf import settings

from payments.errors import CardDeclined, GatewayUnavailable, PaymentError
from payments.money import to_minor_units

logger = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def _client(api_key: str, api_base: str) -> stripe.StripeClient:
    kwargs: dict[str, Any] = {"max_network_retries": 0 if api_base else 2}
    if api_base:
        kwargs["base_addresses"] = {"api": api_base}
    return stripe.StripeClient(api_key, **kwargs)


def client() -> stripe.StripeClient:
    return _client(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE)


def _translate(exc: stripe.StripeError) -> PaymentError:
    if isinstance(exc, stripe.CardError):
        return CardDeclined(
            exc.user_message or "Your card was declined.",
            code=exc.code or "card_declined",
            decline_code=getattr(exc, "decline_code", None) or "",
        )
    if isinstance(exc, stripe.APIConnectionError | stripe.RateLimitError) or (
        exc.http_status or 0
    ) >= 500:
        return GatewayUnavailable(
            "We could not reach our payment provider. Please try again in a moment.",
            code="gateway_unavailable",
        )
    return PaymentError(exc.user_message or "The payment could not be processed.", code=exc.code or "stripe_error")


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except stripe.StripeError as exc:
        logger.warning("stripe call failed: %s %s", type(exc).__name__, exc)
        raise _translate(exc) from exc


def customer_create(*, email: str, name: str, user_id: int, idempotency_key: str):
    return _call(
        client().v1.customers.create,
        params={"email": email, "name": name, "metadata": {"user_id": str(user_id)}},
        options={"idempotency_key": idempotency_key},
    )


def payment_intent_create(
    *, amount: Decimal, currency: str, customer_id: str, metadata: dict[str, str],
    idempotency_key: str, capture_method: str = "automatic",
):
    return _call(
        client().v1.payment_intents.create,
        params={
            "amount": to_minor_units(amount, currency),
            "currency": currency.lower(),
            "customer": customer_id,
            "metadata": metadata,
            "capture_method": capture_method,
            "payment_method_types": ["card"],
        },
        options={"idempotency_key": idempotency_key},
    )


def payment_intent_retrieve(payment_intent_id: str):
    return _call(client().v1.payment_intents.retrieve, payment_intent_id)


def webhook_construct_event(payload: bytes, signature: str | None):
    """Verify the signature with our endpoint secret; raises ValueError or
    stripe.SignatureVerificationError on a bad payload or signature."""
    return stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)
