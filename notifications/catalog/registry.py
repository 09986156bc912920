"""Every type's entry, checked complete at import."""

from __future__ import annotations

from notifications.catalog import accounts, payments, reviews, sessions, webinars
from notifications.catalog.base import Spec
from notifications.types import NotificationType as T

SPECS: dict[str, Spec] = {
    **webinars.SPECS,
    **payments.SPECS,
    **sessions.SPECS,
    **accounts.SPECS,
    **reviews.SPECS,
}

# Every type has an entry: a new type without words fails at import, not in production.
_missing = set(T.values) - set(SPECS)
if _missing:  # pragma: no cover
    raise ImportError(f"notifications.catalog has no entry for {sorted(_missing)}")


def spec_for(notification_type: str) -> Spec:
    return SPECS[T(notification_type)]
