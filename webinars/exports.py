"""CSV export of attendees (coach admin action and the coach's attendees page)."""

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


def _safe(value: str) -> str:
    """Defuse spreadsheet formulas (=, +, -, @) in user-controlled text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def attendees_csv(registrations: Iterable[Registration]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for r in registrations:
        confirmed = (
            r.confirmed_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if r.confirmed_at else ""
        )
        writer.writerow(
            [
                _safe(r.webinar.title),
                _safe(r.user.get_full_name()),
                r.user.email,
                r.status,
                r.amount,
                r.currency,
                r.get_price_reason_display(),
                confirmed,
            ]
        )
    return out.getvalue()
