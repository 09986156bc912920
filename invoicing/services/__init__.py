"""Writes of the invoicing app (see docs/invoicing.md)."""

from invoicing.services.client_documents import (
    credit_note_issue_for_refund,
    invoice_issue_for_payment,
)
from invoicing.services.issue import LineData, Party, document_issue
from invoicing.services.self_billing import (
    contest_resolve,
    self_billed_invoice_contest,
    self_billed_invoice_issue,
    self_billing_agreement_accept,
    self_billing_required,
)

__all__ = [
    "LineData",
    "Party",
    "contest_resolve",
    "credit_note_issue_for_refund",
    "document_issue",
    "invoice_issue_for_payment",
    "self_billed_invoice_contest",
    "self_billed_invoice_issue",
    "self_billing_agreement_accept",
    "self_billing_required",
]
