"""PDFs of documents: WeasyPrint from a Django template, rendered once and stored.

The stored file is what every download serves, so a document's PDF is the same bytes each
time. Rendering holds the document's row lock, so a Celery render and an on-request render of
the same document store one file, not two."""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from invoicing.models import Document

logger = logging.getLogger(__name__)


def document_html(document: Document) -> str:
    from invoicing.selectors import document_context

    with timezone.override(settings.TIME_ZONE):
        return render_to_string("invoicing/pdf/document.html", document_context(document))


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def document_pdf_render(*, document_id: int) -> Document:
    """Render and store the PDF if it is not stored yet; returns the document.

    A failure (template, WeasyPrint, storage) is counted on the document (attempts, error)
    and raised again for the caller's retry; the document and its number are untouched."""
    try:
        with transaction.atomic():
            document = Document.objects.select_for_update().get(pk=document_id)
            if document.pdf:
                return document
            data = html_to_pdf(document_html(document))
            document.pdf.save(f"{document.number}.pdf", ContentFile(data), save=False)
            document.pdf_sha256 = hashlib.sha256(data).hexdigest()
            document.pdf_rendered_at = timezone.now()
            document.render_attempts += 1
            document.render_error = ""
            document.save(
                update_fields=[
                    "pdf",
                    "pdf_sha256",
                    "pdf_rendered_at",
                    "render_attempts",
                    "render_error",
                ]
            )
    except Exception as error:
        from django.db.models import F

        Document.objects.filter(pk=document_id).update(
            render_attempts=F("render_attempts") + 1,
            render_error=f"{type(error).__name__}: {error}"[:2000],
        )
        logger.warning("PDF of document %s failed: %s", document_id, error)
        raise
    return document


def document_pdf_bytes(document: Document) -> bytes:
    """The stored PDF, rendered now if it was not yet (so the link always works)."""
    if not document.pdf:
        document = document_pdf_render(document_id=document.pk)
    with document.pdf.open("rb") as stored:
        return stored.read()
