"""Transfers and transfer reversals of the Connect stand-in (see the package docstring)."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from payments.connect_standin import events
from payments.connect_standin.api import (
    FAULTS,
    STORE,
    Handled,
    _int,
    _page,
    _remember,
    account_or_404,
)
from payments.connect_standin.errors import StripeError, invalid, missing
from payments.connect_standin.store import new_id

if TYPE_CHECKING:
    from aiohttp import web


def _charge(charge_id: str) -> Any:  # a localstripe Charge (untyped library) or None
    from localstripe.resources import store

    return store.get("charge:" + charge_id)


async def transfers_create(
    request: web.Request, params: dict[str, Any], idempotency: tuple[str, str] | None = None
) -> Handled:
    if FAULTS["transfer_errors"] > 0:
        FAULTS["transfer_errors"] -= 1
        raise StripeError(500, "An unknown error occurred (stand-in fault).", type="api_error")
    amount = _int(params.get("amount"), "amount")
    if amount <= 0:
        raise invalid("Invalid positive integer", param="amount")
    currency = str(params.get("currency") or "").lower()
    if not currency:
        raise invalid("Missing required param: currency.", "currency", code="parameter_missing")
    account = account_or_404(str(params.get("destination") or ""), "destination")
    if account["capabilities"].get("transfers") != "active":
        raise invalid(
            "Your destination account needs to have at least one of the following "
            "capabilities enabled: transfers, crypto_transfers, legacy_payments",
            param="destination",
            code="insufficient_capabilities_for_transfer",
        )
    source = params.get("source_transaction")
    if source:
        charge = _charge(str(source))
        if charge is None:
            raise missing("charge", str(source), "source_transaction")
        if getattr(charge, "status", None) != "succeeded":
            raise invalid("The source_transaction charge has not succeeded.", "source_transaction")
        if str(charge.currency).lower() != currency:
            raise invalid(
                "The currency of source_transaction's balance transaction does not match the "
                "transfer currency.",
                "currency",
            )
        already = sum(
            t["amount"] for t in STORE.newest_first("transfer") if t["source_transaction"] == source
        )
        if already + amount > int(charge.amount):
            raise invalid(
                "Transfers using this transaction as a source must not exceed the source "
                f"amount of {charge.amount}.",
                "amount",
                code="transfer_source_balance_parameters_mismatch",
            )
    transfer_id = new_id("tr_1", 20)
    transfer = {
        "id": transfer_id,
        "object": "transfer",
        "amount": amount,
        "amount_reversed": 0,
        "balance_transaction": new_id("txn_1", 20),
        "created": int(time.time()),
        "currency": currency,
        "description": params.get("description"),
        "destination": account["id"],
        "destination_payment": new_id("py_1", 20),
        "livemode": False,
        "metadata": params.get("metadata") or {},
        "reversed": False,
        "source_transaction": source or None,
        "source_type": "card",
        "transfer_group": params.get("transfer_group"),
    }
    STORE.put("transfer", transfer_id, transfer)
    STORE.credit(account["id"], currency, amount)
    body = _with_reversals(transfer)
    _remember(idempotency, body)
    events.emit(STORE, "transfer.created", body)
    if FAULTS["transfer_delay"]:
        await asyncio.sleep(FAULTS["transfer_delay"])
    return body, 200


def _transfer_or_404(transfer_id: str) -> dict[str, Any]:
    transfer = STORE.get("transfer", transfer_id)
    if transfer is None:
        raise missing("transfer", transfer_id, "id")
    return transfer


def _with_reversals(transfer: dict[str, Any]) -> dict[str, Any]:
    reversals = [r for r in STORE.newest_first("reversal") if r["transfer"] == transfer["id"]]
    return {
        **transfer,
        "reversals": {
            "object": "list",
            "data": reversals[:10],
            "has_more": len(reversals) > 10,
            "total_count": len(reversals),
            "url": f"/v1/transfers/{transfer['id']}/reversals",
        },
    }


async def transfers_retrieve(request: web.Request, params: dict[str, Any]) -> Handled:
    return _with_reversals(_transfer_or_404(request.match_info["id"])), 200


async def transfers_list(request: web.Request, params: dict[str, Any]) -> Handled:
    items = STORE.newest_first("transfer")
    if params.get("destination"):
        items = [t for t in items if t["destination"] == params["destination"]]
    if params.get("transfer_group"):
        items = [t for t in items if t["transfer_group"] == params["transfer_group"]]
    page = _page(items, params, "/v1/transfers")
    page["data"] = [_with_reversals(t) for t in page["data"]]
    return page, 200


async def reversals_create(
    request: web.Request, params: dict[str, Any], idempotency: tuple[str, str] | None = None
) -> Handled:
    transfer = dict(_transfer_or_404(request.match_info["id"]))
    unreversed = transfer["amount"] - transfer["amount_reversed"]
    amount = _int(params.get("amount", unreversed), "amount")
    if amount <= 0:
        raise invalid("Invalid positive integer", param="amount")
    if amount > unreversed:
        raise invalid(
            f"Amount ({amount}) is greater than the unreversed amount ({unreversed}) of the "
            "transfer.",
            param="amount",
        )
    account_id = transfer["destination"]
    available = STORE.balance(account_id)["available"].get(transfer["currency"], 0)
    if amount > available:
        raise StripeError(
            400,
            "Insufficient funds in the connected account's Stripe balance to reverse this "
            f"transfer (available {available}, requested {amount}).",
            code="balance_insufficient",
        )
    reversal = {
        "id": new_id("trr_1", 20),
        "object": "transfer_reversal",
        "amount": amount,
        "balance_transaction": new_id("txn_1", 20),
        "created": int(time.time()),
        "currency": transfer["currency"],
        "destination_payment_refund": new_id("pyr_1", 20),
        "metadata": params.get("metadata") or {},
        "source_refund": None,
        "transfer": transfer["id"],
    }
    STORE.put("reversal", reversal["id"], reversal)
    STORE.credit(account_id, transfer["currency"], -amount)
    transfer["amount_reversed"] += amount
    transfer["reversed"] = transfer["amount_reversed"] == transfer["amount"]
    STORE.put("transfer", transfer["id"], transfer)
    _remember(idempotency, reversal)
    events.emit(STORE, "transfer.reversed", _with_reversals(transfer))
    return reversal, 200


async def reversals_list(request: web.Request, params: dict[str, Any]) -> Handled:
    transfer = _transfer_or_404(request.match_info["id"])
    items = [r for r in STORE.newest_first("reversal") if r["transfer"] == transfer["id"]]
    return _page(items, params, f"/v1/transfers/{transfer['id']}/reversals"), 200
