"""A coach's cancellation is not starved by payments arriving for held seats.

`webinar_cancel` locks the payments it will refund before the webinar (the project's lock
order). It used to lock only the payments of confirmed seats: each webhook that confirmed a
held seat between its read and its webinar lock sent it round again, and after three rounds
the coach got "busy, try again" (seen in CI with six webhooks at once). Here the webhooks are
placed in that window on purpose, one per attempt, so the outcome does not depend on timing.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from django.test import Client

from accounts.tests.factories import UserFactory
from payments.models import Payment
from payments.tests.factories import PaymentFactory
from payments.tests.stripe_helpers import event_for, post_event
from webinars.models import Registration, Webinar
from webinars.services import CancelResult, cancellation, webinar_cancel
from webinars.tests.factories import HeldRegistrationFactory, WebinarFactory

pytestmark = [pytest.mark.realservices, pytest.mark.django_db(transaction=True)]


def succeeded_event(registration: Registration) -> dict:
    payment = registration.payment
    return event_for(
        "payment_intent.succeeded",
        {
            "id": payment.stripe_payment_intent_id,
            "object": "payment_intent",
            "amount": 12000,
            "currency": "chf",
            "status": "succeeded",
            "latest_charge": f"ch_{payment.stripe_payment_intent_id}",
            "metadata": {
                "registration_id": str(registration.pk),
                "purpose": "webinar_registration",
            },
        },
    )


def test_cancel_wins_over_payments_arriving_for_held_seats_between_its_reads(
    stripe_down, settings, monkeypatch
):
    settings.LOCK_TIMEOUT_SECONDS = 60  # the webhooks wait for the cancellation, not time out
    webinar = WebinarFactory(max_attendees=10)
    held = []
    for i in range(4):
        user = UserFactory()
        payment = PaymentFactory(
            payer=user,
            coach=webinar.coach,
            webinar=True,
            stripe_payment_intent_id=f"pi_cancel_window_{webinar.pk}_{i}",
        )
        held.append(HeldRegistrationFactory(webinar=webinar, user=user, payment=payment))
    events = [succeeded_event(registration) for registration in held]
    threads: list[threading.Thread] = []
    statuses: list[int] = []
    real_lock_payments = cancellation.lock_payments

    def deliver(event: dict) -> None:
        try:
            statuses.append(post_event(Client(), event).status_code)
        finally:
            connections.close_all()

    def lock_payments_then_a_webhook_arrives(payment_ids):
        locked = real_lock_payments(payment_ids)
        if events:  # one webhook in the window of each attempt, before the webinar lock
            thread = threading.Thread(target=deliver, args=(events.pop(0),))
            thread.start()
            threads.append(thread)
            # Done within 2 s unless it waits for a payment lock this cancellation holds.
            thread.join(timeout=2)
        return locked

    monkeypatch.setattr(cancellation, "lock_payments", lock_payments_then_a_webhook_arrives)

    result = webinar_cancel(webinar_id=webinar.pk, by=webinar.coach.user, reason="Ill.")
    for thread in threads:
        thread.join(timeout=60)
    for event in events:  # the payments that had not arrived yet arrive now
        deliver(event)

    assert isinstance(result, CancelResult)
    assert statuses == [200] * 4
    webinar.refresh_from_db()
    assert webinar.status == Webinar.Status.CANCELLED
    assert not Registration.objects.filter(
        webinar=webinar, status__in=Registration.LIVE_STATUSES
    ).exists()
    # Every payment that succeeded is owed back (Stripe is down here: the refund is recorded
    # as owed and made after commit or by reconcile_payments).
    payments = Payment.objects.filter(webinar_registrations__webinar=webinar)
    assert payments.count() == 4
    assert all(p.refund_owed_reason for p in payments if p.status == Payment.Status.COMPLETED)
