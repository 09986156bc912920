"""Stripe Dispute objects and `charge.dispute.*` events in Stripe's documented shape
(docs.stripe.com/api/disputes/object), for tests that hand-build signed events."""

from __future__ import annotations

import itertools
import time
from decimal import Decimal

from payments.money import to_minor_units
from payments.tests.stripe_helpers import event_for, post_event

_IDS = itertools.count(1)
EVIDENCE_FIELDS = (
    "cancellation_policy",
    "customer_communication",
    "product_description",
    "refund_policy",
    "service_date",
    "service_documentation",
    "uncategorized_text",
)


def dispute_object(
    payment=None,
    *,
    dispute_id: str | None = None,
    status: str = "needs_response",
    amount: Decimal | None = None,
    reason: str = "product_not_received",
    charge_id: str = "",
    due_in_days: int = 7,
) -> dict:
    currency = payment.currency if payment is not None else "CHF"
    amount = payment.charged_amount if amount is None and payment is not None else amount
    now = int(time.time())
    return {
        "id": dispute_id or f"dp_test_{next(_IDS):06d}",
        "object": "dispute",
        "amount": to_minor_units(amount or Decimal("10.00"), currency),
        "balance_transactions": [],
        "charge": charge_id or (payment.stripe_charge_id if payment is not None else "ch_unknown"),
        "created": now,
        "currency": currency.lower(),
        "evidence": dict.fromkeys(EVIDENCE_FIELDS),
        "evidence_details": {
            "due_by": now + due_in_days * 86400,
            "has_evidence": False,
            "past_due": False,
            "submission_count": 0,
        },
        "is_charge_refundable": False,
        "livemode": False,
        "metadata": {},
        "payment_intent": payment.stripe_payment_intent_id if payment is not None else None,
        "reason": reason,
        "status": status,
    }


def send(client, event_type: str, dispute: dict, **changes):
    """Post a signed `charge.dispute.<event_type>` with the dispute (changed by `changes`).
    The event id depends on the type and status, so the same call twice is a replay."""
    obj = {**dispute, **changes}
    event_id = f"evt_{obj['id']}_{event_type}_{obj['status']}"
    response = post_event(client, event_for(f"charge.dispute.{event_type}", obj, event_id=event_id))
    assert response.status_code == 200, response.content
    return response
