"""Paying for a seat at the test localstripe, and delivering the event it generated."""

from __future__ import annotations

from accounts.tests.factories import UserFactory
from payments.models import Payment
from payments.money import to_minor_units
from payments.services import payment_confirm
from payments.tests.factories import PaymentFactory
from payments.tests.stripe_helpers import localstripe_events, post_event, saved_card
from webinars.services import webinar_register
from webinars.tests.factories import HeldRegistrationFactory


def paid(localstripe, webinar, user=None):
    """Register and pay at localstripe; returns (registration, payment, succeeded event)."""
    user = user or UserFactory()
    result = webinar_register(webinar_id=webinar.pk, user=user)
    payment = result.payment
    payment_confirm(
        user=user,
        payment_intent_id=payment.stripe_payment_intent_id,
        payment_method_id=saved_card(user),
    )
    [event] = localstripe_events(
        localstripe["base"],
        event_type="payment_intent.succeeded",
        payment_intent_id=payment.stripe_payment_intent_id,
    )
    return result.registration, payment, event


def held_with_pending_payment(webinar):
    """A held seat with its pending Payment, and the succeeded intent Stripe would send for it
    (hand-written: no localstripe). Returns (registration, intent)."""
    held = HeldRegistrationFactory(webinar=webinar)
    payment = PaymentFactory(
        webinar=True, payer=held.user, coach=webinar.coach, status=Payment.Status.PENDING
    )
    held.payment = payment
    held.save()
    intent = {
        "id": payment.stripe_payment_intent_id,
        "status": "succeeded",
        "amount": to_minor_units(payment.amount_total, "CHF"),
        "currency": "chf",
        "metadata": {"registration_id": held.pk},
    }
    return held, intent


def deliver(client, event, capture):
    """Post the signed event and run its on-commit effects (emails, refunds, pushes)."""
    with capture(execute=True):
        return post_event(client, event)
