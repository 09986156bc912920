"""CSV export of attendees (coach admin action and the coach's attendees page).

Every cell of every row goes through `safe_cell` (issue 8 #13): any column may hold text
someone else typed (titles, names, emails).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import UTC

from webinars.models import Registration

HEADER = [
    "webinar",
    "name",
    "email",
    "status",
    "amount",
    "currency",
    "price reason",
    "confirmed at (UTC)",
]


# A cell starting with one of these is read as a formula by Excel, LibreOffice and Sheets
# (OWASP "CSV injection"); tab and carriage return are stripped by some before they look.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The cell as text, prefixed with a quote when a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in FORMULA_STARTS else text


def safe_row(values: Iterable[object]) -> list[str]:
    return [safe_cell(v) for v in values]


def attendees_csv(registrations: Iterable[Registration]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(safe_row(HEADER))
    for r in registrations:
        confirmed = (
            r.confirmed_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if r.confirmed_at else ""
        )
        writer.writerow(
            safe_row(
                [
                    r.webinar.title,
                    r.user.get_full_name(),
                    r.user.email,
                    r.status,
                    r.amount,
                    r.currency,
                    r.get_price_reason_display(),
                    confirmed,
                ]
            )
        )
    return out.getvalue()
