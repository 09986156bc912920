"""Row locks of the payments app.

Lock order across the project: the `Payment` row FIRST, then the rows of what it pays for
(webinar -> registration; booking). The webhook locks the payment and then calls the purpose's
handler, which locks its own rows; so domain code must never lock a payment while it holds
its own locks. Never call Stripe while holding any of these.
"""

from __future__ import annotations

from collections.abc import Collection

from core.locking import busy_after_timeout, require_transaction
from payments.errors import PaymentBusy
from payments.models import Payment

# Every helper: inside transaction.atomic() only (else LockOutsideTransaction), and a wait
# longer than LOCK_TIMEOUT_SECONDS raises PaymentBusy (core.locking).


def lock_payment(payment_id: int) -> Payment:
    """SELECT ... FOR UPDATE the payment."""
    require_transaction("lock_payment")
    with busy_after_timeout(PaymentBusy):
        return Payment.objects.select_for_update().get(pk=payment_id)


def lock_payment_by_intent(payment_intent_id: str) -> Payment | None:
    require_transaction("lock_payment_by_intent")
    with busy_after_timeout(PaymentBusy):
        return (
            Payment.objects.select_for_update()
            .filter(stripe_payment_intent_id=payment_intent_id)
            .first()
        )


def lock_payments(payment_ids: Collection[int]) -> list[Payment]:
    """Lock several payments, always in primary-key order (two callers never wait on each other
    in a circle)."""
    require_transaction("lock_payments")
    if not payment_ids:
        return []
    with busy_after_timeout(PaymentBusy):
        return list(Payment.objects.select_for_update().filter(pk__in=payment_ids).order_by("pk"))


def lock_payment_for_charge(*, charge_id: str, payment_intent_id: str = "") -> Payment | None:
    """The payment a Stripe charge (or its intent) belongs to, locked; None if not ours.
    Disputes lock this first, then the dispute row, then the payout item."""
    require_transaction("lock_payment_for_charge")
    lookup = Payment.objects.none()
    if payment_intent_id:
        lookup = Payment.objects.filter(stripe_payment_intent_id=payment_intent_id)
    with busy_after_timeout(PaymentBusy):
        payment = lookup.select_for_update().first() if payment_intent_id else None
        if payment is None and charge_id:
            payment = Payment.objects.select_for_update().filter(stripe_charge_id=charge_id).first()
    return payment
