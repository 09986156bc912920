"""Two staff refunds of CHF 100.00 on one CHF 150.00 payment at once (real threads,
PostgreSQL): the payment lock around the reservation lets one through and refuses the other
(above refundable). The control replaces the lock with a plain read: both reserve, both call
Stripe, and the books refund 150.00 of the 200.00 Stripe gave back (money lost)."""

from __future__ import annotations

import contextlib
import threading
from decimal import Decimal

import pytest

from payments import gateway
from payments.models import Payment, Refund
from payments.refunds import service
from payments.refunds.errors import RefundRefused
from payments.tests.connect_helpers import delivered_session, ready_coach
from tests.concurrency import race

pytestmark = [pytest.mark.realservices, pytest.mark.django_db(transaction=True)]


def _slow_stripe(monkeypatch):
    """Every reservation is made before any Stripe call returns (widens the window)."""
    real = gateway.refund_create
    gate = threading.Barrier(2, timeout=5)

    def slow(**kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            gate.wait()
        return real(**kwargs)

    monkeypatch.setattr(gateway, "refund_create", slow)


def _refund(payment_id):
    return lambda i: service.refund_issue(
        payment_id=payment_id,
        amount=Decimal("100.00"),
        policy="standard",
        initiator="staff",
        reason=f"staff {i}",
        notify=False,
    )


def test_two_refunds_at_once_one_goes_through(localstripe, monkeypatch):
    payment = delivered_session(ready_coach(localstripe["base"]))
    _slow_stripe(monkeypatch)

    results = race(2, _refund(payment.pk))

    refused = [r for r in results if isinstance(r, RefundRefused)]
    assert len(refused) == 1 and refused[0].code == "above_refundable", results
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("100.00")
    assert Refund.objects.filter(status=Refund.Status.SUCCEEDED).count() == 1


def test_control_without_the_lock_both_refund(localstripe, monkeypatch):
    _slow_stripe(monkeypatch)
    # Without the lock both threads read the payment, then meet, then check and reserve; the
    # check-to-reserve window is still up to the scheduler, so race fresh payments (up to 5
    # rounds) until both got through, as they do in the first round or two.
    meet = threading.Barrier(2, timeout=5)

    def unlocked_read(pk):
        payment = Payment.objects.get(pk=pk)
        with contextlib.suppress(threading.BrokenBarrierError):
            meet.wait()
        return payment

    monkeypatch.setattr(service, "lock_payment", unlocked_read)
    coach = ready_coach(localstripe["base"])
    for _ in range(5):
        meet.reset()
        payment = delivered_session(coach)
        results = race(2, _refund(payment.pk))
        if not [r for r in results if isinstance(r, Exception)]:
            break

    assert not [r for r in results if isinstance(r, Exception)], results
    assert Refund.objects.filter(payment=payment, status=Refund.Status.SUCCEEDED).count() == 2
