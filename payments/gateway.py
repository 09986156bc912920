"""The one place that talks to Stripe, through the official SDK.

With STRIPE_API_BASE set (local mode) the SDK is pointed at localstripe on 127.0.0.1; in
production it talks to api.stripe.com. Every write carries an idempotency key. SDK errors are
translated into payments.errors so callers never see Stripe's exception classes. Payment
intents and refunds come back as small frozen results (`IntentResult`, `RefundResult`) whose
fields callers read by name; each keeps the Stripe object as a plain dict in `raw`, the shape
webhook payloads have, for `payments.finalize` and the purpose handlers that take either. The
other calls return plain dicts (`StripeObject.to_dict()`). Never call this while holding a
database row lock (see STYLE.md).

localstripe quirks handled here (see DESIGN.md "Stripe offline"): it cannot take
`confirm(payment_method=...)`, so confirmation is update-then-confirm; refunds carry their
reason in metadata (it rejects `reason`); `latest_charge` comes embedded instead of an id.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
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
    if isinstance(exc, stripe.CardError) or exc.http_status == 402:
        return CardDeclined(
            exc.user_message or _error_message(exc) or "Your card was declined.",
            code=exc.code or "card_declined",
            decline_code=getattr(exc, "decline_code", None) or "",
        )
    if (
        isinstance(exc, stripe.APIConnectionError | stripe.RateLimitError)
        or (exc.http_status or 0) >= 500
    ):
        return GatewayUnavailable(
            "We could not reach our payment provider. Please try again in a moment.",
            code="gateway_unavailable",
        )
    return PaymentError(
        exc.user_message or "The payment could not be processed.", code=exc.code or "stripe_error"
    )


def _error_message(exc: stripe.StripeError) -> str:
    body = exc.json_body if isinstance(exc.json_body, dict) else {}
    return str((body.get("error") or {}).get("message") or "")


def stripe_call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
    try:
        result = fn(*args, **kwargs)
    except stripe.StripeError as exc:
        logger.warning("stripe call failed: %s %s", type(exc).__name__, exc)
        raise _translate(exc) from exc
    data: dict[str, Any] = result.to_dict() if hasattr(result, "to_dict") else result
    return data


def charge_id_of(intent: Mapping[str, Any]) -> str:
    """The intent's latest charge id (Stripe sends an id, localstripe the embedded charge)."""
    charge = intent.get("latest_charge")
    charge_id: str = charge.get("id", "") if isinstance(charge, dict) else charge or ""
    return charge_id


# --- typed results ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentErrorInfo:
    """Why Stripe refused the last attempt of an intent (`last_payment_error`)."""

    code: str
    message: str
    decline_code: str


@dataclass(frozen=True)
class IntentResult:
    """A payment intent as Stripe answered it. `raw` is the Stripe object (a dict)."""

    id: str
    status: str
    client_secret: str
    amount_minor: int
    amount_received_minor: int
    currency: str
    capture_method: str
    customer_id: str
    latest_charge_id: str
    metadata: Mapping[str, str]
    last_payment_error: PaymentErrorInfo | None
    raw: Mapping[str, Any]

    @classmethod
    def from_stripe(cls, obj: Mapping[str, Any]) -> IntentResult:
        error = obj.get("last_payment_error") or None
        return cls(
            id=obj.get("id") or "",
            status=obj.get("status") or "",
            client_secret=obj.get("client_secret") or "",
            amount_minor=int(obj.get("amount") or 0),
            amount_received_minor=int(obj.get("amount_received") or 0),
            currency=obj.get("currency") or "",
            capture_method=obj.get("capture_method") or "",
            customer_id=obj.get("customer") or "",
            latest_charge_id=charge_id_of(obj),
            metadata=dict(obj.get("metadata") or {}),
            last_payment_error=(
                PaymentErrorInfo(
                    code=error.get("code") or "",
                    message=error.get("message") or "",
                    decline_code=error.get("decline_code") or "",
                )
                if error
                else None
            ),
            raw=obj,
        )


@dataclass(frozen=True)
class RefundResult:
    """A refund as Stripe answered it. `raw` is the Stripe object (a dict)."""

    id: str
    status: str
    amount_minor: int
    currency: str
    payment_intent_id: str
    raw: Mapping[str, Any]

    @classmethod
    def from_stripe(cls, obj: Mapping[str, Any]) -> RefundResult:
        return cls(
            id=obj.get("id") or "",
            status=obj.get("status") or "",
            amount_minor=int(obj.get("amount") or 0),
            currency=obj.get("currency") or "",
            payment_intent_id=obj.get("payment_intent") or "",
            raw=obj,
        )


# --- customers and cards ----------------------------------------------------------------------


def customer_create(*, email: str, name: str, user_id: int, idempotency_key: str) -> dict[str, Any]:
    return stripe_call(
        client().v1.customers.create,
        params={"email": email, "name": name, "metadata": {"user_id": str(user_id)}},
        options={"idempotency_key": idempotency_key},
    )


def customer_default_payment_method_set(
    *, customer_id: str, payment_method_id: str, idempotency_key: str
) -> dict[str, Any]:
    """Set (or with "" clear) the customer's invoice_settings.default_payment_method."""
    return stripe_call(
        client().v1.customers.update,
        customer_id,
        params={"invoice_settings": {"default_payment_method": payment_method_id}},
        options={"idempotency_key": idempotency_key},
    )


def payment_method_list(*, customer_id: str) -> list[dict[str, Any]]:
    result = stripe_call(
        client().v1.payment_methods.list, params={"customer": customer_id, "type": "card"}
    )
    return list(result.get("data", []))


def payment_method_retrieve(payment_method_id: str) -> dict[str, Any]:
    return stripe_call(client().v1.payment_methods.retrieve, payment_method_id)


def payment_method_attach(
    *, payment_method_id: str, customer_id: str, idempotency_key: str
) -> dict[str, Any]:
    return stripe_call(
        client().v1.payment_methods.attach,
        payment_method_id,
        params={"customer": customer_id},
        options={"idempotency_key": idempotency_key},
    )


def payment_method_detach(*, payment_method_id: str, idempotency_key: str) -> dict[str, Any]:
    return stripe_call(
        client().v1.payment_methods.detach,
        payment_method_id,
        options={"idempotency_key": idempotency_key},
    )


def setup_intent_create(*, customer_id: str, idempotency_key: str) -> dict[str, Any]:
    return stripe_call(
        client().v1.setup_intents.create,
        params={"customer": customer_id, "usage": "off_session", "payment_method_types": ["card"]},
        options={"idempotency_key": idempotency_key},
    )


def setup_intent_retrieve(setup_intent_id: str) -> dict[str, Any]:
    return stripe_call(client().v1.setup_intents.retrieve, setup_intent_id)


# --- payment intents --------------------------------------------------------------------------


def payment_intent_create(
    *,
    amount: Decimal,
    currency: str,
    customer_id: str,
    metadata: dict[str, str],
    idempotency_key: str,
    capture_method: str = "automatic",
    transfer_group: str = "",
) -> IntentResult:
    params: dict[str, Any] = {
        "amount": to_minor_units(amount, currency),
        "currency": currency.lower(),
        "customer": customer_id,
        "metadata": metadata,
        "capture_method": capture_method,
        "payment_method_types": ["card"],
    }
    if transfer_group:  # separate charges and transfers: the coach's transfer joins this group
        params["transfer_group"] = transfer_group
    return IntentResult.from_stripe(
        stripe_call(
            client().v1.payment_intents.create,
            params=params,
            options={"idempotency_key": idempotency_key},
        )
    )


def payment_intent_retrieve(payment_intent_id: str) -> IntentResult:
    return IntentResult.from_stripe(
        stripe_call(client().v1.payment_intents.retrieve, payment_intent_id)
    )


def payment_intent_confirm_with(
    *, payment_intent_id: str, payment_method_id: str, idempotency_key: str
) -> IntentResult:
    """Attach the card, then confirm (two calls: localstripe rejects
    `confirm(payment_method=...)`; real Stripe accepts both forms)."""
    stripe_call(
        client().v1.payment_intents.update,
        payment_intent_id,
        params={"payment_method": payment_method_id},
        options={"idempotency_key": f"{idempotency_key}-update"},
    )
    return IntentResult.from_stripe(
        stripe_call(
            client().v1.payment_intents.confirm,
            payment_intent_id,
            options={"idempotency_key": f"{idempotency_key}-confirm"},
        )
    )


def payment_intent_cancel(*, payment_intent_id: str, idempotency_key: str) -> IntentResult:
    return IntentResult.from_stripe(
        stripe_call(
            client().v1.payment_intents.cancel,
            payment_intent_id,
            options={"idempotency_key": idempotency_key},
        )
    )


def payment_intent_capture(
    *, payment_intent_id: str, amount_minor: int | None, idempotency_key: str
) -> IntentResult:
    params = {"amount_to_capture": amount_minor} if amount_minor is not None else {}
    return IntentResult.from_stripe(
        stripe_call(
            client().v1.payment_intents.capture,
            payment_intent_id,
            params=params,
            options={"idempotency_key": idempotency_key},
        )
    )


def refund_create(
    *, payment_intent_id: str, amount: Decimal, currency: str, reason: str, idempotency_key: str
) -> RefundResult:
    return RefundResult.from_stripe(
        stripe_call(
            client().v1.refunds.create,
            params={
                "payment_intent": payment_intent_id,
                "amount": to_minor_units(amount, currency),
                "metadata": {"reason": reason[:500]},
            },
            options={"idempotency_key": idempotency_key},
        )
    )


def dispute_retrieve(dispute_id: str) -> dict[str, Any]:
    return stripe_call(client().v1.disputes.retrieve, dispute_id)


def dispute_update(
    *, dispute_id: str, evidence: dict[str, str], submit: bool, idempotency_key: str
) -> dict[str, Any]:
    """Stage (`submit=False`) or submit the evidence; Stripe takes a submission once."""
    return stripe_call(
        client().v1.disputes.update,
        dispute_id,
        params={"evidence": evidence, "submit": submit},
        options={"idempotency_key": idempotency_key},
    )


def dispute_close(*, dispute_id: str, idempotency_key: str) -> dict[str, Any]:
    """Accept the dispute (irreversible: it becomes `lost`)."""
    return stripe_call(
        client().v1.disputes.close, dispute_id, options={"idempotency_key": idempotency_key}
    )


def dispute_list(*, limit: int = 100, **filters: Any) -> list[dict[str, Any]]:
    """Every dispute (all pages), optionally filtered by `charge` or `payment_intent`."""
    params: dict[str, Any] = {"limit": limit, **filters}
    found: list[dict[str, Any]] = []
    while True:
        page = stripe_call(client().v1.disputes.list, params=params)
        found.extend(page.get("data", []))
        if not page.get("has_more") or not page.get("data"):
            return found
        params["starting_after"] = page["data"][-1]["id"]


def webhook_construct_event(payload: bytes, signature: str | None) -> stripe.Event:
    """Verify the signature with our endpoint secret; raises ValueError or
    stripe.SignatureVerificationError on a bad payload or signature."""
    # stripe's construct_event has no return annotation; it returns the verified Event.
    event: stripe.Event = stripe.Webhook.construct_event(
        payload, signature, settings.STRIPE_WEBHOOK_SECRET
    )
    return event
