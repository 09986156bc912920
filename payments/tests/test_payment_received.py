"""`payment_received` (seed 001 payment notifications): the payments core tells the coach once
a payment completes, for any purpose, once per payment; the payer's confirmation says what
they paid."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from accounts.tests.factories import UserFactory
from bookings.models import Booking
from bookings.tests.factories import BookingFactory
from notifications.models import Notification
from payments import finalize
from payments.models import Payment
from payments.tests.factories import PaymentFactory
from webinars.models import Registration
from webinars.services import holds_expire
from webinars.tests.factories import RegistrationFactory, WebinarFactory
from webinars.tests.payment_helpers import deliver, paid

pytestmark = pytest.mark.django_db


def received_by(user):
    return Notification.objects.filter(recipient=user, type="payment_received")


def test_a_completed_webinar_payment_tells_the_coach_amount_payer_and_what_for(
    client, localstripe, django_capture_on_commit_callbacks
):
    webinar = WebinarFactory(title="Leading remote teams")
    payer = UserFactory(first_name="Ada", last_name="Lovelace")
    registration, payment, event = paid(localstripe, webinar, payer)

    deliver(client, event, django_capture_on_commit_callbacks)

    [note] = received_by(webinar.coach.user)
    assert note.title == "Payment received: CHF 120.00"
    assert note.body == "Ada Lovelace paid CHF 120.00 for Leading remote teams."
    assert note.category == "payment"
    coach_emails = [m for m in mail.outbox if m.to == [webinar.coach.user.email]]
    [email] = [m for m in coach_emails if m.subject.startswith("Payment received")]
    assert "Ada Lovelace paid CHF 120.00 for Leading remote teams." in email.body
    assert "Your share after the platform fee: CHF 94.36" in email.body
    assert not received_by(payer).exists()  # the payer's confirmation carries the amount


def test_a_replayed_succeeded_event_tells_the_coach_only_once(
    client, localstripe, django_capture_on_commit_callbacks
):
    webinar = WebinarFactory()
    _registration, _payment, event = paid(localstripe, webinar)
    for _ in range(3):
        deliver(client, event, django_capture_on_commit_callbacks)
    assert received_by(webinar.coach.user).count() == 1
    coach_emails = [m for m in mail.outbox if m.to == [webinar.coach.user.email]]
    assert sum("Payment received" in m.subject for m in coach_emails) == 1


def test_money_that_goes_back_because_the_seat_is_gone_is_not_announced_to_the_coach(
    client, localstripe, django_capture_on_commit_callbacks
):
    webinar = WebinarFactory(max_attendees=1)
    registration, payment, event = paid(localstripe, webinar)
    Registration.objects.filter(pk=registration.pk).update(
        hold_expires_at=timezone.now() - timedelta(minutes=1)
    )
    holds_expire()
    RegistrationFactory(webinar=webinar)  # someone else took the only seat

    deliver(client, event, django_capture_on_commit_callbacks)

    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    assert not received_by(webinar.coach.user).exists()


def test_the_payers_webinar_confirmation_says_the_amount_paid(
    client, localstripe, django_capture_on_commit_callbacks
):
    webinar = WebinarFactory()
    registration, _payment, event = paid(localstripe, webinar)

    deliver(client, event, django_capture_on_commit_callbacks)

    note = Notification.objects.get(recipient=registration.user, type="webinar_booking_confirmed")
    assert note.body.startswith("We received your payment of CHF 120.00. Your seat for")
    # The invoice goes out as its own email (invoicing; header X-Document-Number).
    [email] = [
        m
        for m in mail.outbox
        if m.to == [registration.user.email] and "X-Document-Number" not in m.extra_headers
    ]
    assert "We received your payment of CHF 120.00." in email.body
    assert "Paid: CHF 120.00" in email.body


def test_a_free_webinar_confirmation_mentions_no_payment(
    client, django_capture_on_commit_callbacks
):
    from webinars.services import webinar_register

    webinar = WebinarFactory(price=Decimal("0"))
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):  # notices are built after commit
        webinar_register(webinar_id=webinar.pk, user=user)
    note = Notification.objects.get(recipient=user, type="webinar_booking_confirmed")
    assert "payment" not in note.body.lower()
    assert not received_by(webinar.coach.user).exists()


def _session_payment(booking: Booking) -> Payment:
    return PaymentFactory(
        payer=booking.client,
        coach=booking.coach,
        stripe_payment_intent_id=f"pi_session_{booking.pk}",
    )


def test_a_paid_1to1_session_tells_the_coach_and_the_clients_confirmation_says_the_amount(
    django_capture_on_commit_callbacks,
):
    booking = BookingFactory(
        status=Booking.Status.PAYMENT_PENDING,
        client=UserFactory(first_name="Grace", last_name="Hopper"),
        hold_expires_at=timezone.now() + timedelta(minutes=10),
    )
    payment = _session_payment(booking)
    Booking.objects.filter(pk=booking.pk).update(payment=payment)
    # The event as Stripe sends it for this intent (hand-written: no localstripe needed here).
    intent = {
        "id": payment.stripe_payment_intent_id,
        "object": "payment_intent",
        "amount": 15000,
        "currency": "chf",
        "status": "succeeded",
        "latest_charge": f"ch_session_{booking.pk}",
        "metadata": {"booking_id": str(booking.pk), "purpose": "session_booking"},
    }

    with django_capture_on_commit_callbacks(execute=True):  # notices are built after commit
        finalize.in_transaction(finalize.succeeded, intent=intent)

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    [note] = received_by(booking.coach.user)
    assert note.body == f"Grace Hopper paid CHF 150.00 for {booking.title}."
    client_note = Notification.objects.get(recipient=booking.client, type="booking_confirmed")
    assert "We received your payment of CHF 150.00." in client_note.body
    coach_note = Notification.objects.get(recipient=booking.coach.user, type="booking_confirmed")
    assert "payment" not in coach_note.body.lower()
