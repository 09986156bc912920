"""A small registry through which other apps hear about money events without payments
importing them (invoicing registers from its AppConfig.ready).

    from payments import events
    events.on_payment_completed(fn)   # fn(*, payment_id: int)
    events.on_refund_recorded(fn)     # fn(*, payment_id: int, refund_transaction_id: int)

The payments core calls `payment_completed` / `refund_recorded` inside its transaction; each
callback runs after that transaction commits (never for a rollback). A callback that raises is
logged and does not affect the payment or the other callbacks (core.oncommit).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from core.oncommit import run_on_commit

if TYPE_CHECKING:
    from payments.models import Payment, Transaction


_payment_completed: list[Callable[..., None]] = []
_refund_recorded: list[Callable[..., None]] = []


def on_payment_completed(fn: Callable[..., None]) -> Callable[..., None]:
    if fn not in _payment_completed:
        _payment_completed.append(fn)
    return fn


def on_refund_recorded(fn: Callable[..., None]) -> Callable[..., None]:
    if fn not in _refund_recorded:
        _refund_recorded.append(fn)
    return fn


def payment_completed(payment: Payment) -> None:
    """A payment's money was captured and matched its quote (finalize.succeeded)."""
    for fn in _payment_completed:
        run_on_commit(fn, log_as="Payment-completed listener", payment_id=payment.pk)


def refund_recorded(payment: Payment, refund_transaction: Transaction) -> None:
    """A refund was booked in the ledger (finalize.refunded)."""
    for fn in _refund_recorded:
        run_on_commit(
            fn,
            log_as="Refund-recorded listener",
            payment_id=payment.pk,
            refund_transaction_id=refund_transaction.pk,
        )
