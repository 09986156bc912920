"""payments.services.payment_cancel: an open payment is cancelled at Stripe and here; one
Stripe never knew (a row made by hand, no PaymentIntent) is cancelled here without a call."""

from __future__ import annotations

import pytest

from payments import gateway
from payments.models import Payment
from payments.services import customer_ensure, payment_cancel
from payments.tests.factories import PaymentFactory

pytestmark = pytest.mark.django_db


def test_an_open_payment_is_cancelled_at_stripe_and_here(localstripe):
    payment = PaymentFactory(status=Payment.Status.PENDING)
    intent = gateway.payment_intent_create(
        amount=payment.amount_total,
        currency=payment.currency,
        customer_id=customer_ensure(user=payment.payer),
        metadata={"payment": str(payment.pk)},
        idempotency_key=f"test-cancel-{payment.pk}",
    )
    Payment.objects.filter(pk=payment.pk).update(stripe_payment_intent_id=intent.id)

    cancelled = payment_cancel(payment_id=payment.pk, reason="test")

    assert cancelled.status == Payment.Status.CANCELLED
    assert gateway.payment_intent_retrieve(intent.id).status == "canceled"


def test_a_payment_stripe_never_knew_is_cancelled_without_asking_stripe(localstripe):
    payment = PaymentFactory(status=Payment.Status.PENDING, stripe_payment_intent_id=None)

    cancelled = payment_cancel(payment_id=payment.pk, reason="test")

    assert cancelled.status == Payment.Status.CANCELLED
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CANCELLED
