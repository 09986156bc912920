"""Paying for a seat at the test localstripe, and delivering the event it generated."""

from __future__ import annotations

from accounts.tests.factories import UserFactory
from payments.services import payment_confirm
from payments.tests.stripe_helpers import localstripe_events, post_event, saved_card
from webinars.services import webinar_register


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


def deliver(client, event, capture):
    """Post the signed event and run its on-commit effects (emails, refunds, pushes)."""
    with capture(execute=True):
        return post_event(client, event)
