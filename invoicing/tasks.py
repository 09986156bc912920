"""Celery tasks of invoicing: issue after the payment commits, render, email, sweep."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

logger = logging.getLogger(__name__)

RETRY = {"max_retries": 5, "retry_backoff": 10, "retry_backoff_max": 600, "retry_jitter": True}


@shared_task(autoretry_for=(Exception,), **RETRY)
def issue_invoice_for_payment(payment_id: int) -> str | None:
    from invoicing.services import invoice_issue_for_payment

    document = invoice_issue_for_payment(payment_id=payment_id)
    return document.number if document else None


@shared_task(autoretry_for=(Exception,), **RETRY)
def issue_credit_note_for_refund(payment_id: int, refund_transaction_id: int) -> str:
    from invoicing.services import credit_note_issue_for_refund

    return credit_note_issue_for_refund(
        payment_id=payment_id, refund_transaction_id=refund_transaction_id
    ).number


@shared_task(autoretry_for=(Exception,), **RETRY)
def render_document_pdf(document_id: int) -> str:
    """Render and store the PDF (retried with backoff; the beat sweep picks up the rest),
    then email it."""
    from invoicing.pdf import document_pdf_render

    document = document_pdf_render(document_id=document_id)
    if document.emailed_at is None:
        email_document.delay(document_id)
    return document.number


@shared_task(autoretry_for=(Exception,), **RETRY)
def email_document(document_id: int) -> bool:
    from invoicing.delivery import document_email_send

    return document_email_send(document_id=document_id)


@shared_task
def documents_sweep() -> dict[str, int]:
    """Beat: render PDFs still pending (lost task, retries used up) and send unsent emails."""
    from invoicing.delivery import MAX_EMAIL_ATTEMPTS
    from invoicing.models import Document

    cutoff = timezone.now() - timedelta(minutes=2)
    pending = Document.objects.filter(pdf="", issued_at__lt=cutoff).values_list("pk", flat=True)
    unsent = Document.objects.filter(
        emailed_at__isnull=True, issued_at__lt=cutoff, email_attempts__lt=MAX_EMAIL_ATTEMPTS
    ).exclude(pdf="")
    counts = {"render": 0, "email": 0, "invoice": 0, "credit_note": 0}
    for payment_id in _payments_missing_invoice(cutoff)[:500]:
        issue_invoice_for_payment.delay(payment_id)
        counts["invoice"] += 1
    for payment_id, refund_id in _refunds_missing_credit_note(cutoff)[:500]:
        issue_credit_note_for_refund.delay(payment_id, refund_id)
        counts["credit_note"] += 1
    for document_id in pending[:500]:
        render_document_pdf.delay(document_id)
        counts["render"] += 1
    for document_id in unsent.values_list("pk", flat=True)[:500]:
        email_document.delay(document_id)
        counts["email"] += 1
    return counts


def _payments_missing_invoice(cutoff):
    """Completed since invoicing started, no invoice yet (the after-commit task was lost)."""
    from django.db.models import Exists, OuterRef

    from invoicing.models import Document, DocumentKind
    from invoicing.services.client_documents import INVOICED_STATUSES, invoicing_started_at
    from payments.models import Payment

    started = invoicing_started_at()
    payments = Payment.objects.filter(
        status__in=INVOICED_STATUSES, completed_at__lt=cutoff, amount_total__gt=0
    ).exclude(error_code__in=("amount_mismatch", "no_record"))
    if started is not None:
        payments = payments.filter(completed_at__gte=started)
    invoiced = Document.objects.filter(payment=OuterRef("pk"), kind=DocumentKind.INVOICE)
    return payments.filter(~Exists(invoiced)).values_list("pk", flat=True)


def _refunds_missing_credit_note(cutoff):
    from django.db.models import CharField, Exists, OuterRef, Value
    from django.db.models.functions import Concat

    from invoicing.models import Document
    from invoicing.services.client_documents import invoicing_started_at
    from payments.models import Transaction

    started = invoicing_started_at()
    refunds = Transaction.objects.filter(kind=Transaction.Kind.REFUND, created_at__lt=cutoff)
    if started is not None:
        refunds = refunds.filter(created_at__gte=started)
    refunds = refunds.annotate(key=Concat(Value("refund:"), "pk", output_field=CharField()))
    noted = Document.objects.filter(source_key=OuterRef("key"))
    return refunds.filter(~Exists(noted)).values_list("payment_id", "pk")
