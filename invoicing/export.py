"""CSV of the documents issued in a period, for the accountant (admin action and command)."""

from __future__ import annotations

import csv
from datetime import date

from invoicing.models import Document

COLUMNS = [
    "number",
    "kind",
    "issue_date",
    "refers_to",
    "issuer_name",
    "issuer_vat_number",
    "recipient_name",
    "recipient_vat_number",
    "recipient_email",
    "currency",
    "net_total",
    "vat_rates",
    "vat_total",
    "gross_total",
    "payment_id",
    "reference",
]


def documents_in_period(*, start: date, end: date):
    """Issued on `start` .. `end` inclusive (platform dates), in number order per series."""
    return (
        Document.objects.filter(issue_date__gte=start, issue_date__lte=end)
        .select_related("refers_to")
        .prefetch_related("lines")
        .order_by("kind", "year", "sequence")
    )


def documents_csv_write(documents, out) -> int:
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    count = 0
    for document in documents:
        rates = sorted({line.vat_rate for line in document.lines.all()})
        writer.writerow(
            [
                document.number,
                document.kind,
                document.issue_date.isoformat(),
                document.refers_to.number if document.refers_to else "",
                document.issuer_name,
                document.issuer_vat_number,
                document.recipient_name,
                document.recipient_vat_number,
                document.recipient_email,
                document.currency,
                document.net_total,
                " ".join(f"{rate.normalize():f}" for rate in rates),
                document.vat_total,
                document.gross_total,
                document.payment_id or "",
                document.reference,
            ]
        )
        count += 1
    return count
