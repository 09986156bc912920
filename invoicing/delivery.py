"""Emailing a document's PDF to its owner, once.

The document is claimed with one conditional UPDATE (emailed_at NULL -> now), so two workers
never both send; a failed send releases the claim for the retry. Sent through Django's
configured email backend, the one the notifications outbox uses (files under var/mail/
locally)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from invoicing.models import Document
from invoicing.pdf import document_pdf_bytes

logger = logging.getLogger(__name__)

MAX_EMAIL_ATTEMPTS = 5


def document_email_send(*, document_id: int) -> bool:
    """Send the document to its owner. False if it was sent already (or has no address)."""
    claimed = Document.objects.filter(pk=document_id, emailed_at__isnull=True).update(
        emailed_at=timezone.now(), email_attempts=F("email_attempts") + 1
    )
    if not claimed:
        return False
    document = Document.objects.select_related("owner", "refers_to").get(pk=document_id)
    to = document.owner.email or document.recipient_email
    if not to:
        return False
    try:
        context = {
            "document": document,
            "recipient": document.owner,
            "site_url": settings.SITE_URL,
            "list_url": f"{settings.SITE_URL}/payments/invoices/",
        }
        subject = render_to_string("invoicing/email/subject.txt", context).strip()
        body = render_to_string("invoicing/email/document.txt", context)
        message = EmailMultiAlternatives(
            subject=subject,
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to],
            headers={"X-Document-Number": document.number},
        )
        message.attach(document.pdf_filename, document_pdf_bytes(document), "application/pdf")
        message.send(fail_silently=False)
    except Exception:
        Document.objects.filter(pk=document_id).update(emailed_at=None)
        logger.exception("Emailing %s failed", document.number)
        raise
    return True
