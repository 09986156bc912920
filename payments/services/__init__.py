"""Writes of the payments app: the public API other apps call (see docs/payments.md).

Services that talk to Stripe are called with no row lock held: they call Stripe first, then
take the payment lock in a short transaction to record the outcome (payments/finalize.py).


One module per sub-domain: cards (customers and saved cards), intents (open, confirm,
capture, cancel), refunds, reconcile; every public name is re-exported here.
"""

from payments.services.cards import (
    customer_ensure,
    payment_method_detach,
    payment_method_save,
    setup_intent_create,
)
from payments.services.intents import (
    ConfirmResult,
    payment_cancel,
    payment_capture,
    payment_confirm,
    payment_open,
    transfer_group_for,
)
from payments.services.reconcile import (
    ReconcileReport,
    payments_reconcile,
)
from payments.services.refunds import (
    notify_refund,
    payment_refund,
    payment_refund_later,
)

__all__ = [
    "customer_ensure",
    "setup_intent_create",
    "payment_method_save",
    "payment_method_detach",
    "payment_open",
    "transfer_group_for",
    "ConfirmResult",
    "payment_confirm",
    "payment_capture",
    "payment_cancel",
    "payment_refund",
    "notify_refund",
    "payment_refund_later",
    "ReconcileReport",
    "payments_reconcile",
]
