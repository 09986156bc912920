"""Reads of invoicing: who may see which document, listings, the PDF context."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from invoicing.models import Document, DocumentKind


def documents_visible_to(user) -> QuerySet[Document]:
    """Staff: all. Everyone else: the documents they own (a client's invoices and credit
    notes, a coach's self-billed invoices and their credit notes)."""
    documents = Document.objects.select_related("refers_to")
    if getattr(user, "sees_everything", False):
        return documents
    return documents.filter(owner=user)


def document_for(*, user, number: str) -> Document | None:
    """One document by number if `user` may see it; None otherwise (the view says 404)."""
    return documents_visible_to(user).filter(number=number).first()


def documents_of(user) -> QuerySet[Document]:
    """The signed-in user's own documents (Receipts & invoices), newest first."""
    return Document.objects.filter(owner=user).select_related("refers_to").prefetch_related("lines")


def documents_by_payment(user, *, payment_ids=None) -> dict[int, list[Document]]:
    """{payment id: [invoice, credit notes...]} of `user`, in one query (My Bookings);
    only those of `payment_ids` when given (the rows of one page)."""
    by_payment: dict[int, list[Document]] = {}
    documents = Document.objects.filter(owner=user, payment__isnull=False, coach__isnull=True)
    if payment_ids is not None:
        documents = documents.filter(payment_id__in=[pk for pk in payment_ids if pk])
    for document in documents.only("pk", "number", "kind", "payment_id", "issued_at").order_by(
        "issued_at", "pk"
    ):
        by_payment.setdefault(document.payment_id, []).append(document)
    return by_payment


def document_context(document: Document) -> dict:
    """Everything the PDF template shows."""
    lines = list(document.lines.all())
    rates = sorted({line.vat_rate for line in lines})
    self_billed = document.is_self_billed
    if document.kind == DocumentKind.INVOICE:
        title = "Invoice"
    elif document.kind == DocumentKind.SELF_BILLED:
        title = "Self-billed invoice (Self-billing / Gutschrift)"
    else:
        title = "Credit note" + (" (Self-billing / Gutschrift)" if self_billed else "")
    return {
        "document": document,
        "lines": lines,
        "title": title,
        "self_billed": self_billed,
        "vat_rates": rates,
        "vat_wording": [
            (f"incl. {rate.normalize():f}% MWST" if document.vat_included else f"{rate}% MWST")
            for rate in rates
        ],
        "brand": getattr(settings, "SITE_NAME", "Coaching Platform"),
        "site_url": settings.SITE_URL,
    }
