"""What we know about the thing a disputed payment bought, for the staff's evidence form.

payments imports neither webinars nor bookings: each selling app registers, per payment
purpose (like payments.handlers.register_purpose), a function `payment -> dict` with any of
the keys below; missing keys stay empty for staff to fill in.

    register_evidence_source(Payment.Purpose.SESSION_BOOKING, booking_dispute_evidence)

Keys: `label` (what was bought, shown in the admin), and Stripe evidence fields
`product_description`, `service_date`, `service_documentation` (attendance),
`customer_communication` (messages), `cancellation_policy`, `refund_policy`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from payments.disputes.models import Dispute
    from payments.models import Payment


logger = logging.getLogger(__name__)

EvidenceSource = Callable[..., dict[str, Any]]
_SOURCES: dict[str, EvidenceSource] = {}


def register_evidence_source(purpose: str, source: EvidenceSource) -> None:
    _SOURCES[str(purpose)] = source


def known_facts(payment: Payment) -> dict[str, Any]:
    source = _SOURCES.get(str(payment.purpose))
    if source is None:
        return {}
    try:
        return dict(source(payment) or {})
    except Exception:  # evidence is a help for staff; it must never stop a webhook
        logger.exception("evidence source for payment %s failed", payment.pk)
        return {}


def purchase_label(payment: Payment) -> str:
    return str(known_facts(payment).get("label") or payment.get_purpose_display())


def evidence_prefill(dispute: Dispute) -> dict[str, Any]:
    """The evidence form's initial values: what staff staged, else what we know."""
    from payments.disputes.services import EVIDENCE_FIELDS

    facts = known_facts(dispute.payment) if dispute.payment is not None else {}
    payment = dispute.payment
    if payment is not None:
        facts.setdefault(
            "product_description",
            f"{payment.get_purpose_display()}: {facts.get('label', '')}".strip(": "),
        )
        if payment.completed_at:
            facts.setdefault(
                "uncategorized_text",
                f"Paid {payment.currency} {payment.charged_amount} on "
                f"{payment.completed_at:%Y-%m-%d} (payment {payment.pk}, charge "
                f"{payment.stripe_charge_id}).",
            )
    prefill = {field: str(facts.get(field) or "") for field in EVIDENCE_FIELDS}
    prefill.update({k: v for k, v in (dispute.evidence or {}).items() if k in EVIDENCE_FIELDS})
    return prefill
