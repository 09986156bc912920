"""`charge.dispute.*` on the platform endpoint: each event's dispute object goes through
dispute_sync (payments/webhooks.py records the event once and dispatches by type)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from payments.disputes.services import dispute_sync

DISPUTE_EVENTS = (
    "charge.dispute.created",
    "charge.dispute.updated",
    "charge.dispute.closed",
    "charge.dispute.funds_withdrawn",
    "charge.dispute.funds_reinstated",
)


def _handler(event_type: str) -> Callable[[dict[str, Any]], None]:
    def handle(obj: dict[str, Any]) -> None:
        dispute_sync(obj=obj, event_type=event_type)

    handle.__name__ = f"dispute_{event_type.rsplit('.', 1)[-1]}"
    return handle


DISPUTE_HANDLERS = {event_type: _handler(event_type) for event_type in DISPUTE_EVENTS}
