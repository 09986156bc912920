"""Stripe Connect calls (accounts, links, transfers, reversals), through payments.gateway's
client and error translation. Every write carries an idempotency key; never call these while
holding a database row lock."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings

from payments.gateway import client, stripe_call

if TYPE_CHECKING:
    import stripe


def account_create(
    *, email: str, coach_id: int, country: str, idempotency_key: str
) -> dict[str, Any]:
    """A controller-based account with the Express dashboard (not the deprecated
    `type=express`): the platform pays Stripe's fees and bears losses."""
    return stripe_call(
        client().v1.accounts.create,
        params={
            "controller": {
                "stripe_dashboard": {"type": "express"},
                "fees": {"payer": "application"},
                "losses": {"payments": "application"},
            },
            "capabilities": {"transfers": {"requested": True}},
            "country": country,
            "email": email,
            "metadata": {"coach_id": str(coach_id)},
        },
        options={"idempotency_key": idempotency_key},
    )


def account_retrieve(account_id: str) -> dict[str, Any]:
    return stripe_call(client().v1.accounts.retrieve, account_id)


def account_link_create(*, account_id: str, refresh_url: str, return_url: str) -> dict[str, Any]:
    # A fresh link each time (single-use, short-lived): a random key is right here.
    return stripe_call(
        client().v1.account_links.create,
        params={
            "account": account_id,
            "type": "account_onboarding",
            "refresh_url": refresh_url,
            "return_url": return_url,
        },
    )


def login_link_create(*, account_id: str) -> dict[str, Any]:
    return stripe_call(client().v1.accounts.login_links.create, account_id)


@dataclass(frozen=True)
class TransferResult:
    """A transfer to a connected account as Stripe answered it. `raw` is the Stripe object."""

    id: str
    amount_minor: int
    currency: str
    destination: str
    transfer_group: str
    metadata: Mapping[str, str]
    raw: Mapping[str, Any]

    @classmethod
    def from_stripe(cls, obj: Mapping[str, Any]) -> TransferResult:
        return cls(
            id=obj.get("id") or "",
            amount_minor=int(obj.get("amount") or 0),
            currency=obj.get("currency") or "",
            destination=obj.get("destination") or "",
            transfer_group=obj.get("transfer_group") or "",
            metadata=dict(obj.get("metadata") or {}),
            raw=obj,
        )


@dataclass(frozen=True)
class ReversalResult:
    """A transfer reversal as Stripe answered it. `raw` is the Stripe object."""

    id: str
    amount_minor: int
    transfer_id: str
    raw: Mapping[str, Any]

    @classmethod
    def from_stripe(cls, obj: Mapping[str, Any]) -> ReversalResult:
        transfer = obj.get("transfer")
        return cls(
            id=obj.get("id") or "",
            amount_minor=int(obj.get("amount") or 0),
            transfer_id=(transfer.get("id", "") if isinstance(transfer, dict) else transfer) or "",
            raw=obj,
        )


def transfer_create(
    *,
    amount_minor: int,
    currency: str,
    destination: str,
    source_transaction: str,
    transfer_group: str,
    metadata: dict[str, str],
    idempotency_key: str,
) -> TransferResult:
    params: dict[str, Any] = {
        "amount": amount_minor,
        "currency": currency.lower(),
        "destination": destination,
        "transfer_group": transfer_group,
        "metadata": metadata,
    }
    if source_transaction:
        params["source_transaction"] = source_transaction
    return TransferResult.from_stripe(
        stripe_call(
            client().v1.transfers.create,
            params=params,
            options={"idempotency_key": idempotency_key},
        )
    )


def transfer_list(*, transfer_group: str, destination: str = "") -> list[TransferResult]:
    """Every transfer of a transfer group (all pages)."""
    params: dict[str, Any] = {"transfer_group": transfer_group, "limit": 100}
    if destination:
        params["destination"] = destination
    found: list[dict[str, Any]] = []
    while True:
        page = stripe_call(client().v1.transfers.list, params=params)
        found.extend(page.get("data", []))
        if not page.get("has_more") or not page.get("data"):
            return [TransferResult.from_stripe(transfer) for transfer in found]
        params["starting_after"] = page["data"][-1]["id"]


def transfer_reversal_create(
    *, transfer_id: str, amount_minor: int, metadata: dict[str, str], idempotency_key: str
) -> ReversalResult:
    return ReversalResult.from_stripe(
        stripe_call(
            client().v1.transfers.reversals.create,
            transfer_id,
            params={"amount": amount_minor, "metadata": metadata},
            options={"idempotency_key": idempotency_key},
        )
    )


def connect_webhook_construct_event(payload: bytes, signature: str | None) -> stripe.Event:
    import stripe

    # stripe's construct_event has no return annotation; it returns the verified Event.
    event: stripe.Event = stripe.Webhook.construct_event(
        payload, signature, settings.STRIPE_CONNECT_WEBHOOK_SECRET
    )
    return event
