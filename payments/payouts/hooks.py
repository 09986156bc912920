"""Extension points of the payout run, so other apps (e.g. invoicing's self-billing) plug in
without payments importing them. Register once, in the app's AppConfig.ready():

    from payments.payouts.hooks import PayoutBlocked, register_before_transfer

    def require_self_billing(coach, items):
        if not agreement_exists(coach):
            raise PayoutBlocked("No self-billing agreement yet")
        issue_self_billed_invoice(coach, items)   # must be idempotent per item

    register_before_transfer(require_self_billing)

`before_transfer(coach, items)` runs after the run claimed `items` (status processing, no row
lock held, no transaction open) and before any Stripe call. Raising PayoutBlocked releases
the items back to pending WITHOUT spending an attempt (blocked_reason is shown to staff); any
other exception counts as a failed attempt. A crashed run may call it again for the same items.

`after_settlement(settlement)` runs after the commit that created a coach's Settlement of a
run (its items, reversals and nettings are attached); exceptions are logged, not raised.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accounts.models import Coach
    from payments.payouts.models import PayoutItem, Settlement


logger = logging.getLogger(__name__)


class PayoutBlocked(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


_BEFORE: list[Callable[..., Any]] = []
_AFTER: list[Callable[..., Any]] = []


def register_before_transfer(fn: Callable[..., Any]) -> None:
    if fn not in _BEFORE:
        _BEFORE.append(fn)


def register_after_settlement(fn: Callable[..., Any]) -> None:
    if fn not in _AFTER:
        _AFTER.append(fn)


def unregister(fn: Callable[..., Any]) -> None:
    for registry in (_BEFORE, _AFTER):
        if fn in registry:
            registry.remove(fn)


def run_before_transfer(coach: Coach, items: list[PayoutItem]) -> None:
    for fn in list(_BEFORE):
        fn(coach, items)


def run_after_settlement(settlement: Settlement) -> None:
    for fn in list(_AFTER):
        try:
            fn(settlement)
        except Exception:
            logger.exception("after_settlement hook %r failed for %s", fn, settlement.pk)
