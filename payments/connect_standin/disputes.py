"""Disputes in the stand-in (localstripe has none), shaped like Stripe's Dispute object.

- A PaymentIntent paid with Stripe's dispute test card `4000 0000 0000 0259`
  (`pm_card_createDispute`) gets a `needs_response` dispute for the full amount (reason
  `fraudulent`, evidence due in 7 days), and `charge.dispute.created` then
  `charge.dispute.funds_withdrawn` go to localstripe's platform webhook endpoints, signed with
  each endpoint's secret, after the `payment_intent.succeeded` localstripe sends.
- `GET /v1/disputes` (filters `charge`, `payment_intent`; Stripe's list pagination),
  `GET /v1/disputes/<id>`, `POST /v1/disputes/<id>` (`evidence`, `metadata`, `submit`:
  default true; evidence is taken once, like Stripe), `POST /v1/disputes/<id>/close`
  (accept: `lost`). Submitting `uncategorized_text` "winning_evidence" / "losing_evidence"
  closes the dispute won / lost, as in Stripe's test mode.
- Test control: `POST /_config/disputes/<id>/close` `{"status": "won"|"lost"}` (the bank
  decides) sends `charge.dispute.closed` (and `funds_reinstated` when won).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from payments.connect_standin import events
from payments.connect_standin.api import STORE, Endpoint, Handled, Handler, _json, _page, _remember
from payments.connect_standin.errors import invalid, missing, respond
from payments.connect_standin.store import new_id

if TYPE_CHECKING:
    from aiohttp import web


logger = logging.getLogger("localstripe.disputes")
DISPUTE_CARD = "4000000000000259"
EVIDENCE_DUE_SECONDS = 7 * 86400
DISPUTE_FEE_MINOR = 1500
EVIDENCE_FIELDS = (
    "access_activity_log",
    "billing_address",
    "cancellation_policy",
    "cancellation_policy_disclosure",
    "cancellation_rebuttal",
    "customer_communication",
    "customer_email_address",
    "customer_name",
    "customer_purchase_ip",
    "customer_signature",
    "duplicate_charge_documentation",
    "duplicate_charge_explanation",
    "duplicate_charge_id",
    "product_description",
    "receipt",
    "refund_policy",
    "refund_policy_disclosure",
    "refund_refusal_explanation",
    "service_date",
    "service_documentation",
    "shipping_address",
    "shipping_carrier",
    "shipping_date",
    "shipping_documentation",
    "shipping_tracking_number",
    "uncategorized_file",
    "uncategorized_text",
)
OPEN = ("warning_needs_response", "warning_under_review", "needs_response", "under_review")
_PENDING: set[asyncio.Task[None]] = set()


def _balance_transaction(amount: int, currency: str, description: str) -> dict[str, Any]:
    return {
        "id": new_id("txn_1", 20),
        "object": "balance_transaction",
        "amount": amount,
        "currency": currency,
        "description": description,
        "fee": DISPUTE_FEE_MINOR if amount < 0 else 0,
        "net": amount - (DISPUTE_FEE_MINOR if amount < 0 else 0),
        "reporting_category": "dispute" if amount < 0 else "dispute_reversal",
        "type": "adjustment",
        "created": int(time.time()),
    }


def dispute_create(
    *, charge_id: str, payment_intent: str | None, amount: int, currency: str
) -> dict[str, Any]:
    now = int(time.time())
    dispute: dict[str, Any] = {
        "id": new_id("dp_1", 20),
        "object": "dispute",
        "amount": amount,
        "balance_transactions": [
            _balance_transaction(-amount, currency, f"Chargeback withdrawal for {charge_id}")
        ],
        "charge": charge_id,
        "created": now,
        "currency": currency,
        "evidence": dict.fromkeys(EVIDENCE_FIELDS),
        "evidence_details": {
            "due_by": now + EVIDENCE_DUE_SECONDS,
            "has_evidence": False,
            "past_due": False,
            "submission_count": 0,
        },
        "is_charge_refundable": False,
        "livemode": False,
        "metadata": {},
        "payment_intent": payment_intent,
        "reason": "fraudulent",
        "status": "needs_response",
    }
    STORE.put("dispute", dispute["id"], dispute)
    emit_platform("charge.dispute.created", dispute)
    emit_platform("charge.dispute.funds_withdrawn", dispute)
    return dispute


# --- platform events ------------------------------------------------------------------------


def emit_platform(event_type: str, obj: dict[str, Any], delay: float = 1.5) -> dict[str, Any]:
    """Store the event and post it to every localstripe webhook endpoint (the platform's),
    signed like Stripe. `delay` keeps it after localstripe's own events (sent after 1 s)."""
    from localstripe.webhooks import _webhooks

    event: dict[str, Any] = {
        "id": new_id("evt_1", 24),
        "object": "event",
        "api_version": events.API_VERSION,
        "created": int(time.time()),
        "data": {"object": json.loads(json.dumps(obj))},
        "livemode": False,
        "pending_webhooks": len(_webhooks),
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }
    STORE.put("event", event["id"], event)
    endpoints = [
        {"url": hook.url, "secret": hook.secret}
        for hook in _webhooks.values()
        if hook.events is None or event_type in hook.events
    ]
    for endpoint in endpoints:
        with contextlib.suppress(RuntimeError):  # no loop (outside the server): stored only
            task = asyncio.get_running_loop().create_task(_deliver_later(event, endpoint, delay))
            _PENDING.add(task)
            task.add_done_callback(_PENDING.discard)
    return event


async def _deliver_later(event: dict[str, Any], endpoint: dict[str, Any], delay: float) -> None:
    await asyncio.sleep(delay)
    await events._deliver(event, endpoint)


# --- the dispute test card --------------------------------------------------------------------


def patch_dispute_test_card() -> None:
    """`pm_card_createDispute` resolves to the dispute card; a PaymentIntent that succeeds with
    that card gets a dispute (after localstripe's own success handling)."""
    from localstripe.resources import PaymentIntent, PaymentMethod

    if getattr(PaymentIntent, "_creates_disputes", False):
        return
    original_article = PaymentMethod._try_get_canonical_test_article.__func__
    original_success = PaymentIntent._on_success

    def _try_get_canonical_test_article(cls: Any, id: str) -> Any:  # noqa: A002 (localstripe's signature)
        if id == "pm_card_createDispute":
            return PaymentMethod(
                type="card",
                card={"number": DISPUTE_CARD, "exp_month": "12", "exp_year": "2030", "cvc": "123"},
            )
        return original_article(cls, id)

    def _on_success(self: Any) -> None:
        original_success(self)
        charge = self.latest_charge
        try:
            method = PaymentMethod._api_retrieve(charge.payment_method)
        except Exception:
            return
        if getattr(method, "_card_number", "") == DISPUTE_CARD:
            dispute_create(
                charge_id=charge.id,
                payment_intent=self.id,
                amount=int(charge.amount),
                currency=str(charge.currency).lower(),
            )

    PaymentMethod._try_get_canonical_test_article = classmethod(_try_get_canonical_test_article)
    PaymentIntent._on_success = _on_success
    PaymentIntent._creates_disputes = True


# --- API ----------------------------------------------------------------------------------------


def _dispute_or_404(dispute_id: str) -> dict[str, Any]:
    dispute = STORE.get("dispute", dispute_id)
    if dispute is None:
        raise missing("dispute", dispute_id, "dispute")
    return dispute


def _true(value: object, default: bool) -> bool:
    if value is None:
        return default
    return str(value).lower() in ("true", "1")


async def disputes_list(request: web.Request, params: dict[str, Any]) -> Handled:
    items = STORE.newest_first("dispute")
    for key in ("charge", "payment_intent"):
        if params.get(key):
            items = [d for d in items if d.get(key) == params[key]]
    return _page(items, params, "/v1/disputes"), 200


async def disputes_retrieve(request: web.Request, params: dict[str, Any]) -> Handled:
    return _dispute_or_404(request.match_info["id"]), 200


async def disputes_update(
    request: web.Request, params: dict[str, Any], idempotency: tuple[str, str] | None = None
) -> Handled:
    dispute = json.loads(json.dumps(_dispute_or_404(request.match_info["id"])))
    evidence = params.get("evidence") or {}
    if not isinstance(evidence, dict):
        raise invalid("Invalid object", param="evidence")
    unknown = sorted(set(evidence) - set(EVIDENCE_FIELDS))
    if unknown:
        raise invalid(f"Received unknown parameter: evidence[{unknown[0]}]", param="evidence")
    if evidence and dispute["status"] not in ("warning_needs_response", "needs_response"):
        raise invalid(
            "This dispute is already closed or its evidence was already submitted: evidence "
            "can no longer be updated.",
            param="evidence",
        )
    if "metadata" in params:
        dispute["metadata"] = {**dispute["metadata"], **(params["metadata"] or {})}
    if evidence:
        dispute["evidence"].update({k: (v or None) for k, v in evidence.items()})
        dispute["evidence_details"]["has_evidence"] = True
        submit = _true(params.get("submit"), True)
        if submit:
            dispute["evidence_details"]["submission_count"] += 1
            warning = dispute["status"].startswith("warning_")
            dispute["status"] = "warning_under_review" if warning else "under_review"
    STORE.put("dispute", dispute["id"], dispute)
    _remember(idempotency, dispute)
    emit_platform("charge.dispute.updated", dispute, delay=0.2)
    text = str(dispute["evidence"].get("uncategorized_text") or "")
    if dispute["status"] == "under_review" and text in ("winning_evidence", "losing_evidence"):
        dispute_decide(dispute["id"], "won" if text == "winning_evidence" else "lost")
    return dispute, 200


async def disputes_close(
    request: web.Request, params: dict[str, Any], idempotency: tuple[str, str] | None = None
) -> Handled:
    dispute = json.loads(json.dumps(_dispute_or_404(request.match_info["id"])))
    if dispute["status"] not in OPEN:
        raise invalid("This dispute is already closed.", param="dispute")
    dispute["status"] = "warning_closed" if dispute["status"].startswith("warning_") else "lost"
    STORE.put("dispute", dispute["id"], dispute)
    _remember(idempotency, dispute)
    emit_platform("charge.dispute.closed", dispute, delay=0.2)
    return dispute, 200


def dispute_decide(dispute_id: str, outcome: str) -> dict[str, Any]:
    dispute: dict[str, Any] = json.loads(json.dumps(_dispute_or_404(dispute_id)))
    dispute["status"] = outcome
    if outcome == "won":
        dispute["balance_transactions"].append(
            _balance_transaction(dispute["amount"], dispute["currency"], "Chargeback reversal")
        )
    STORE.put("dispute", dispute_id, dispute)
    emit_platform("charge.dispute.closed", dispute, delay=0.4)
    if outcome == "won":
        emit_platform("charge.dispute.funds_reinstated", dispute, delay=0.6)
    return dispute


async def config_dispute_close(request: web.Request) -> web.Response:
    data = await _json(request)
    if data.get("status") not in ("won", "lost"):
        return respond({"error": {"message": "status must be won or lost"}}, 400)
    dispute = STORE.get("dispute", request.match_info["id"])
    if dispute is None or dispute["status"] not in OPEN:
        return respond({"error": {"message": "no such open dispute"}}, 404)
    return respond(dispute_decide(dispute["id"], data["status"]))


def install_routes(app: web.Application, endpoint: Callable[[Handler], Endpoint]) -> None:
    patch_dispute_test_card()
    routes = [
        ("GET", "/v1/disputes", disputes_list),
        ("GET", "/v1/disputes/{id}", disputes_retrieve),
        ("POST", "/v1/disputes/{id}", disputes_update),
        ("POST", "/v1/disputes/{id}/close", disputes_close),
    ]
    for method, path, handler in routes:
        app.router.add_route(method, path, endpoint(handler))
    app.router.add_post("/_config/disputes/{id}/close", config_dispute_close)
