"""Completed payments (webinar seats) to issue documents from, and a few helpers."""

from __future__ import annotations

import subprocess
import tempfile
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.tests.factories import CoachFactory, UserFactory
from payments.models import Payment, Transaction
from payments.pricing import price_breakdown
from webinars.models import Registration
from webinars.tests.factories import WebinarFactory


class CompletedPaymentFactory(factory.django.DjangoModelFactory):
    """A completed CHF 120 payment (VAT 8.1 % included) with its ledger charge.
    `webinar=` attaches a confirmed registration for that webinar."""

    class Meta:
        model = Payment
        skip_postgeneration_save = True

    payer = factory.SubFactory(UserFactory)
    coach = factory.SubFactory(CoachFactory)
    purpose = Payment.Purpose.WEBINAR_REGISTRATION
    status = Payment.Status.COMPLETED
    currency = "CHF"
    amount_total = Decimal("120.00")
    amount_net = factory.LazyAttribute(lambda o: _split(o)["net"])
    vat_rate = Decimal("8.1")
    vat_amount = factory.LazyAttribute(lambda o: _split(o)["vat_amount"])
    vat_included = True
    platform_fee = factory.LazyAttribute(lambda o: _split(o)["platform_fee"])
    coach_share = factory.LazyAttribute(lambda o: _split(o)["coach_share"])
    stripe_payment_intent_id = factory.Sequence(lambda n: f"pi_invoicing_{n:06d}")
    completed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def webinar(obj, create, extracted, **kwargs):
        if not create:
            return
        Transaction.objects.create(
            payment=obj,
            kind=Transaction.Kind.CHARGE,
            amount=obj.amount_total,
            currency=obj.currency,
            stripe_object_id=f"ch_{obj.stripe_payment_intent_id}",
        )
        if obj.purpose != Payment.Purpose.WEBINAR_REGISTRATION:
            return
        webinar = extracted or WebinarFactory(coach=obj.coach, price=obj.amount_total)
        Registration.objects.create(
            webinar=webinar,
            user=obj.payer,
            status=Registration.Status.CONFIRMED,
            payment=obj,
            amount=obj.amount_total,
            currency=obj.currency,
            price_reason=Registration.PriceReason.REGULAR,
            confirmed_at=timezone.now(),
        )


def _split(o) -> dict:
    b = price_breakdown(
        amount=o.amount_total,
        currency=o.currency,
        vat_rate=o.vat_rate,
        platform_fee_percent=Decimal(15),
    )
    return {
        "net": b.net,
        "vat_amount": b.vat_amount,
        "platform_fee": b.platform_fee,
        "coach_share": b.coach_share,
    }


def refund_transaction(payment: Payment, amount: Decimal, refund_id: str = "") -> Transaction:
    """Record a refund through the payments core (ledger row, status, hooks)."""
    from django.db import transaction

    from payments import finalize
    from payments.locks import lock_payment

    refund_id = refund_id or f"re_{payment.pk}_{amount}"
    with transaction.atomic():
        locked = lock_payment(payment.pk)
        finalize.refunded(payment=locked, refund_id=refund_id, amount=amount, note="Cancelled")
    return Transaction.objects.get(kind=Transaction.Kind.REFUND, stripe_object_id=refund_id)


def pdf_text(data: bytes) -> str:
    """The text of a PDF in the order it was written (`pdftotext -raw`), whitespace collapsed,
    so a table cell that wraps reads as one phrase. pdftotext's default reading order
    interleaves a wrapped cell with the next column's line for some name lengths."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        words = subprocess.run(
            ["pdftotext", "-raw", handle.name, "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        return " ".join(words)


def session_paid(*, client=None, coach=None, amount=Decimal("150.00"), capture=None):
    """A 1:1 session paid through the payments core: a held booking, its payment, and the
    `payment_intent.succeeded` transition (hand-written intent, no Stripe needed). With
    `capture` (django_capture_on_commit_callbacks) the after-commit effects run."""
    from datetime import timedelta

    from bookings.models import Booking
    from bookings.tests.factories import BookingFactory
    from payments import finalize

    booking = BookingFactory(
        status=Booking.Status.PAYMENT_PENDING,
        client=client or UserFactory(),
        **({"coach": coach} if coach is not None else {}),
        hold_expires_at=timezone.now() + timedelta(minutes=10),
        amount_total=amount,
    )
    b = price_breakdown(
        amount=amount, currency="CHF", vat_rate=Decimal("8.1"), platform_fee_percent=15
    )
    payment = Payment.objects.create(
        payer=booking.client,
        coach=booking.coach,
        purpose=Payment.Purpose.SESSION_BOOKING,
        status=Payment.Status.PROCESSING,
        currency="CHF",
        amount_total=b.total,
        amount_net=b.net,
        vat_rate=b.vat_rate,
        vat_amount=b.vat_amount,
        platform_fee=b.platform_fee,
        coach_share=b.coach_share,
        stripe_payment_intent_id=f"pi_session_{booking.pk}",
    )
    Booking.objects.filter(pk=booking.pk).update(payment=payment)
    intent = {
        "id": payment.stripe_payment_intent_id,
        "object": "payment_intent",
        "amount": int(b.total * 100),
        "currency": "chf",
        "status": "succeeded",
        "latest_charge": f"ch_session_{booking.pk}",
        "metadata": {"booking_id": str(booking.pk), "purpose": "session_booking"},
    }
    if capture is None:
        finalize.in_transaction(finalize.succeeded, intent=intent)
    else:
        with capture(execute=True):
            finalize.in_transaction(finalize.succeeded, intent=intent)
    booking.refresh_from_db()
    payment.refresh_from_db()
    return booking, payment
