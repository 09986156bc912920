"""Issuing one document: number, parties and lines frozen in one transaction."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.oncommit import run_on_commit
from invoicing.dates import platform_date
from invoicing.models import Document, DocumentLine, format_number
from invoicing.numbering import sequence_allocate
from payments.money import quantize

logger = logging.getLogger(__name__)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Party:
    name: str
    address: str = ""
    vat_number: str = ""
    email: str = ""


@dataclass(frozen=True)
class LineData:
    """One line as the caller knows it; `gross` includes VAT (VAT-inclusive prices)."""

    description: str
    gross: Decimal
    vat_rate: Decimal
    date_of_supply: date | None = None
    quantity: Decimal = Decimal(1)
    # Given when the caller already knows the exact split (a payment's frozen quote).
    net: Decimal | None = None
    vat: Decimal | None = None

    def split(self, currency: str, *, shows_vat: bool) -> tuple[Decimal, Decimal, Decimal]:
        """(net, vat rate, vat) so that net + vat == gross to the minor unit."""
        gross = quantize(Decimal(self.gross), currency)
        if not shows_vat:
            return gross, Decimal(0), Decimal(0)
        rate = Decimal(self.vat_rate)
        if self.vat is not None:
            vat = quantize(Decimal(self.vat), currency)
        else:
            vat = quantize(gross * rate / (HUNDRED + rate), currency)
        return gross - vat, rate, vat


def platform_party() -> Party:
    return Party(
        name=settings.PLATFORM_LEGAL_NAME,
        address=settings.PLATFORM_ADDRESS,
        vat_number=settings.PLATFORM_VAT_NUMBER,
        email=settings.DEFAULT_FROM_EMAIL,
    )


def issuer_of(document: Document) -> Party:
    return Party(document.issuer_name, document.issuer_address, document.issuer_vat_number)


def recipient_of(document: Document) -> Party:
    return Party(
        document.recipient_name,
        document.recipient_address,
        document.recipient_vat_number,
        document.recipient_email,
    )


def document_issue(
    *,
    kind: str,
    owner,
    source_key: str,
    issuer: Party,
    recipient: Party,
    lines: Sequence[LineData],
    currency: str,
    payment=None,
    coach=None,
    refers_to: Document | None = None,
    reference: str = "",
    note: str = "",
    vat_included: bool = True,
    shows_vat: bool = True,
    lock: bool = True,
) -> Document:
    """Issue a document once per `source_key`; a repeat returns the one already issued.

    Allocates the next number of the (kind, year) series under its row lock, writes the
    document and its lines, and queues the PDF render (then the email) after commit."""
    existing = Document.objects.filter(source_key=source_key).first()
    if existing is not None:
        return existing
    if not lines:
        raise ValueError("A document needs at least one line.")
    currency = currency.upper()
    try:
        with transaction.atomic():
            issued_at = timezone.now()
            issue_date = platform_date(issued_at)
            sequence = sequence_allocate(kind=kind, year=issue_date.year, lock=lock)
            document = Document(
                kind=kind,
                year=issue_date.year,
                sequence=sequence,
                number=format_number(kind, issue_date.year, sequence),
                issued_at=issued_at,
                issue_date=issue_date,
                owner=owner,
                source_key=source_key,
                payment=payment,
                coach=coach,
                refers_to=refers_to,
                reference=reference[:120],
                issuer_name=issuer.name,
                issuer_address=issuer.address,
                issuer_vat_number=issuer.vat_number,
                recipient_name=recipient.name,
                recipient_address=recipient.address,
                recipient_vat_number=recipient.vat_number,
                recipient_email=recipient.email,
                currency=currency,
                vat_included=vat_included,
                shows_vat=shows_vat,
                note=note,
                net_total=Decimal(0),
                vat_total=Decimal(0),
                gross_total=Decimal(0),
            )
            rows = []
            for position, line in enumerate(lines, start=1):
                net, rate, vat = line.split(currency, shows_vat=shows_vat)
                rows.append(
                    DocumentLine(
                        position=position,
                        description=line.description[:300],
                        date_of_supply=line.date_of_supply,
                        quantity=line.quantity,
                        net=net,
                        vat_rate=rate,
                        vat=vat,
                        gross=net + vat,
                        currency=currency,
                    )
                )
            document.net_total = sum((row.net for row in rows), Decimal(0))
            document.vat_total = sum((row.vat for row in rows), Decimal(0))
            document.gross_total = sum((row.gross for row in rows), Decimal(0))
            document.save()
            for row in rows:
                row.document = document
                row.save()
            run_on_commit(_queue_render, document.pk, log_as="PDF render enqueue")
    except IntegrityError:
        # A concurrent issuer of the same source won; its number stands, ours rolled back.
        existing = Document.objects.filter(source_key=source_key).first()
        if existing is None:
            raise
        return existing
    logger.info("issued %s (%s) for %s", document.number, kind, source_key)
    return document


def _queue_render(document_id: int) -> None:
    from invoicing.tasks import render_document_pdf

    try:
        render_document_pdf.delay(document_id)
    except Exception:  # broker down: the beat sweep renders it later, the link renders now
        logger.exception("Could not queue the PDF of document %s", document_id)


def negated(document: Document, *, amount: Decimal | None = None) -> list[LineData]:
    """Credit-note lines that revoke `document` in full, or `amount` (gross) of it."""
    if amount is None or amount == document.gross_total:
        return [
            LineData(
                description=f"Cancelled: {line.description}",
                gross=-line.gross,
                vat_rate=line.vat_rate,
                vat=-line.vat,
                date_of_supply=line.date_of_supply,
                quantity=line.quantity,
            )
            for line in document.lines.all()
        ]
    first = document.lines.first()
    if first is None:  # document_issue refuses a document without lines
        raise ValueError(f"Document {document.pk} has no lines.")
    return [
        LineData(
            description=f"Partial refund: {first.description}",
            gross=-amount,
            vat_rate=first.vat_rate,
            date_of_supply=first.date_of_supply,
        )
    ]
