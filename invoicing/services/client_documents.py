"""B2C documents: the platform (deemed supplier) invoices the client for every completed
payment and issues a credit note for every refund."""

from __future__ import annotations

import logging
from functools import lru_cache

from django.db.migrations.recorder import MigrationRecorder

from invoicing.dates import platform_date
from invoicing.models import Document, DocumentKind
from invoicing.services.issue import (
    LineData,
    Party,
    document_issue,
    issuer_of,
    negated,
    platform_party,
    recipient_of,
)
from invoicing.sources import supply_of
from payments.models import Payment, Transaction

logger = logging.getLogger(__name__)

INVOICED_STATUSES = (
    Payment.Status.COMPLETED,
    Payment.Status.PARTIALLY_REFUNDED,
    Payment.Status.REFUNDED,
    Payment.Status.DISPUTED,
)


def client_party(user) -> Party:
    details = getattr(user, "billing_details", None)
    name = user.get_full_name() or user.display_name
    if details is not None and details.legal_name:
        name = details.legal_name
    return Party(
        name=name,
        address=details.address if details else "",
        vat_number=details.vat_number if details else "",
        email=user.email,
    )


@lru_cache(maxsize=1)
def invoicing_started_at():
    """When this feature was installed (its first migration): payments completed before it
    have no invoice, and their refunds get a credit note that says so."""
    applied = (
        MigrationRecorder.Migration.objects.filter(app="invoicing", name__startswith="0001")
        .values_list("applied", flat=True)
        .first()
    )
    return applied


def _invoiceable(payment: Payment) -> bool:
    return (
        payment.status in INVOICED_STATUSES
        and payment.completed_at is not None
        and payment.amount_total > 0
        and payment.error_code not in ("amount_mismatch", "no_record")
    )


def invoice_issue_for_payment(*, payment_id: int) -> Document | None:
    """The B2C invoice of a completed payment (once; a repeat returns it). None when the
    payment took no money we keep a record of (not completed, mismatched, free)."""
    payment = Payment.objects.select_related("payer", "coach__user").get(pk=payment_id)
    if not _invoiceable(payment):
        return None
    supply = supply_of(payment)
    rate = payment.vat_rate
    wording = f"incl. {rate.normalize():f}% MWST" if payment.vat_included else f"{rate}% MWST"
    return document_issue(
        kind=DocumentKind.INVOICE,
        owner=payment.payer,
        source_key=f"payment:{payment.pk}",
        issuer=platform_party(),
        recipient=client_party(payment.payer),
        lines=[
            LineData(
                description=supply.description,
                gross=payment.amount_total,
                vat_rate=rate,
                net=payment.amount_net,
                vat=payment.vat_amount,
                date_of_supply=supply.date_of_supply,
            )
        ],
        currency=payment.currency,
        payment=payment,
        coach=None,
        vat_included=payment.vat_included,
        note=f"Paid by card on {platform_date(payment.completed_at):%d.%m.%Y}. Prices {wording}.",
    )


def invoice_of(payment: Payment) -> Document | None:
    return Document.objects.filter(
        payment=payment, kind=DocumentKind.INVOICE, coach__isnull=True
    ).first()


def credit_note_issue_for_refund(*, payment_id: int, refund_transaction_id: int) -> Document:
    """The credit note of one refund: negated amounts, referring to the payment's invoice.

    The invoice is issued first if this payment should have one and its task has not run
    yet (a refund right after payment); a payment from before invoicing has none, and the
    credit note says so."""
    refund = Transaction.objects.select_related("payment__payer").get(
        pk=refund_transaction_id, payment_id=payment_id, kind=Transaction.Kind.REFUND
    )
    payment = refund.payment
    invoice = invoice_of(payment)
    started = invoicing_started_at()
    if invoice is None and (started is None or payment.completed_at >= started):
        invoice = invoice_issue_for_payment(payment_id=payment.pk)
    if invoice is not None:
        lines = negated(invoice, amount=refund.amount)
        note = f"Refund of {payment.currency} {refund.amount}. Corrects invoice {invoice.number}."
    else:
        when = platform_date(payment.completed_at) if payment.completed_at else None
        supply = supply_of(payment)
        lines = [
            LineData(
                description=f"Refund: {supply.description}",
                gross=-refund.amount,
                vat_rate=payment.vat_rate,
                date_of_supply=supply.date_of_supply,
            )
        ]
        note = (
            f"Refund of {payment.currency} {refund.amount}. No invoice was issued for the "
            f"original payment"
            + (f" of {when:%d.%m.%Y}" if when else "")
            + " (made before invoicing started); this credit note refers to that payment."
        )
    if refund.note:
        note += f" Reason: {refund.note}."
    return document_issue(
        kind=DocumentKind.CREDIT_NOTE,
        owner=payment.payer,
        source_key=f"refund:{refund.pk}",
        issuer=issuer_of(invoice) if invoice else platform_party(),
        recipient=recipient_of(invoice) if invoice else client_party(payment.payer),
        lines=lines,
        currency=payment.currency,
        payment=payment,
        refers_to=invoice,
        vat_included=payment.vat_included,
        note=note,
    )
