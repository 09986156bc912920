"""The whole paid booking against localstripe: register, pay with a saved card, Stripe's
signed payment_intent.succeeded, seat confirmed, money booked, emails out."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from payments import gateway
from payments.models import Payment, Transaction, WebhookEvent
from payments.tests.stripe_helpers import localstripe_events, post_event, saved_card
from webinars.models import Registration, Webinar
from webinars.tests.factories import WebinarFactory

pytestmark = pytest.mark.django_db


def _register(client, webinar):
    response = client.post(
        reverse("webinars:register", args=[webinar.pk]), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_register_pay_and_webhook_confirm_the_seat_book_the_money_and_send_emails(
    client, localstripe, django_capture_on_commit_callbacks
):
    webinar = WebinarFactory(
        price=Decimal("150.00"),
        early_bird_price=Decimal("120.00"),
        early_bird_deadline=timezone.now() + timedelta(days=2),
        min_attendees=1,
        status=Webinar.Status.PENDING_MINIMUM,
    )
    user = UserFactory()
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=True):
        booked = _register(client, webinar)
    assert booked["amount"] == "120.00" and booked["currency"] == "CHF"
    assert booked["price_reason"] == "early_bird"
    registration = Registration.objects.get(pk=booked["registration_id"])
    assert registration.status == Registration.Status.HELD

    intent = gateway.payment_intent_retrieve(booked["payment_intent_id"]).raw
    assert intent["amount"] == 12000 and intent["currency"] == "chf"
    assert intent["metadata"]["registration_id"] == str(registration.pk)
    assert intent["metadata"]["webinar_id"] == str(webinar.pk)
    assert intent["metadata"]["user_id"] == str(user.pk)
    assert intent["metadata"]["price_reason"] == "early_bird"
    assert intent["metadata"]["purpose"] == "webinar_registration"
    assert intent["customer"] == user.__class__.objects.get(pk=user.pk).stripe_customer_id

    card_id = saved_card(user)
    response = client.post(
        reverse("payments:confirm"),
        {"payment_intent_id": booked["payment_intent_id"], "payment_method_id": card_id},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "processing"

    [event] = localstripe_events(
        localstripe["base"],
        event_type="payment_intent.succeeded",
        payment_intent_id=booked["payment_intent_id"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = post_event(client, event)
    assert response.status_code == 200, response.content

    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    payment = Payment.objects.get(stripe_payment_intent_id=booked["payment_intent_id"])
    assert registration.payment == payment
    assert payment.status == Payment.Status.COMPLETED
    assert payment.amount_total == Decimal("120.00")
    assert payment.amount_net + payment.vat_amount == payment.amount_total
    assert payment.price_snapshot["reason"] == "early_bird"
    assert payment.stripe_charge_id.startswith("ch_")
    charge = Transaction.objects.get(payment=payment, kind=Transaction.Kind.CHARGE)
    assert (charge.amount, charge.currency) == (Decimal("120.00"), "CHF")
    assert Transaction.objects.filter(payment=payment, kind=Transaction.Kind.FEE).exists()
    webinar.refresh_from_db()
    assert webinar.status == Webinar.Status.SCHEDULED  # minimum of 1 reached
    assert WebhookEvent.objects.get(stripe_event_id=event["id"]).status == "processed"

    subjects = {(m.to[0], m.subject) for m in mail.outbox}
    assert any(to == user.email and "booked" in s.lower() for to, s in subjects), subjects
    assert any(to == webinar.coach.user.email and "attendee" in s.lower() for to, s in subjects)
    confirmation = next(
        m for m in mail.outbox if m.to == [user.email] and "booked" in m.subject.lower()
    )
    assert f"/webinars/{webinar.pk}/" in confirmation.body
    # The join link travels in the calendar invite (URL/LOCATION): it opens the access-checked
    # /webinars/<id>/join/ for the attendee.
    invite = "".join(
        str(a[1]) if isinstance(a, tuple) else a.get_payload(decode=True).decode()
        for a in confirmation.attachments
    )
    assert f"/webinars/{webinar.pk}/join/" in invite.replace("\r\n ", "")


def test_second_click_reuses_the_hold_and_its_payment_intent(client, localstripe):
    webinar = WebinarFactory()
    client.force_login(UserFactory())
    first = _register(client, webinar)
    second = _register(client, webinar)
    assert second["payment_intent_id"] == first["payment_intent_id"]
    assert second["registration_id"] == first["registration_id"]
    assert Payment.objects.count() == 1
    assert Registration.objects.filter(status=Registration.Status.HELD).count() == 1


def test_declined_card_shows_the_reason_keeps_the_hold_and_a_retry_with_another_card_works(
    client, localstripe, django_capture_on_commit_callbacks
):
    from payments.tests.stripe_helpers import card_with_number

    webinar = WebinarFactory()
    user = UserFactory()
    client.force_login(user)
    booked = _register(client, webinar)
    declining = card_with_number(user, "4000000000000341")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("payments:confirm"),
            {"payment_intent_id": booked["payment_intent_id"], "payment_method_id": declining},
        )
    assert response.status_code == 402
    assert "declined" in response.json()["message"].lower()
    payment = Payment.objects.get()
    assert payment.status == Payment.Status.FAILED
    assert payment.error_code == "card_declined"
    registration = Registration.objects.get()
    assert registration.status == Registration.Status.HELD  # the seat stays held
    assert any("failed" in m.subject.lower() for m in mail.outbox if m.to == [user.email])

    response = client.post(
        reverse("payments:confirm"),
        {"payment_intent_id": booked["payment_intent_id"], "payment_method_id": saved_card(user)},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "processing"
    assert gateway.payment_intent_retrieve(booked["payment_intent_id"]).status == "succeeded"


def test_confirm_with_a_card_of_another_customer_is_refused(client, localstripe):
    webinar = WebinarFactory()
    client.force_login(UserFactory())
    booked = _register(client, webinar)
    stranger_card = saved_card(UserFactory())
    response = client.post(
        reverse("payments:confirm"),
        {"payment_intent_id": booked["payment_intent_id"], "payment_method_id": stranger_card},
    )
    assert response.status_code == 400
    assert Payment.objects.get().status == Payment.Status.PENDING


def test_three_d_secure_card_asks_the_browser_to_authenticate(client, localstripe):
    from payments.tests.stripe_helpers import card_with_number

    webinar = WebinarFactory()
    user = UserFactory()
    client.force_login(user)
    booked = _register(client, webinar)
    card = card_with_number(user, "4000002500003155")
    response = client.post(
        reverse("payments:confirm"),
        {"payment_intent_id": booked["payment_intent_id"], "payment_method_id": card},
    )
    assert response.status_code == 200
    assert response.json() == {
        "status": "requires_action",
        "payment_intent_id": booked["payment_intent_id"],
        "client_secret": booked["client_secret"],
    }


def test_cancel_releases_the_seat_at_once_and_cancels_the_intent(
    client, localstripe, django_capture_on_commit_callbacks
):
    webinar = WebinarFactory(max_attendees=1)
    client.force_login(UserFactory())
    booked = _register(client, webinar)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("webinars:hold_cancel", args=[webinar.pk]))
    assert response.status_code == 302
    assert Registration.objects.get().status == Registration.Status.CANCELLED
    assert Payment.objects.get().status == Payment.Status.CANCELLED
    assert gateway.payment_intent_retrieve(booked["payment_intent_id"]).status == "canceled"
    client.force_login(UserFactory())
    assert _register(client, webinar)["registration_id"] != booked["registration_id"]


def test_saving_a_card_from_a_confirmed_setup_intent_attaches_it_to_the_user(client, localstripe):
    import requests

    user = UserFactory()
    client.force_login(user)
    secret = client.post(reverse("payments:methods_setup")).json()["client_secret"]
    setup_intent_id = secret.split("_secret_")[0]
    # What localstripe's Stripe.js confirmCardSetup sends from the browser:
    confirmed = requests.post(
        f"{localstripe['base']}/v1/setup_intents/{setup_intent_id}/confirm",
        json={
            "key": "pk_test_localstripe",
            "client_secret": secret,
            "use_stripe_sdk": True,
            "payment_method_data": {
                "type": "card",
                "card": {
                    "number": "4242424242424242",
                    "exp_month": "12",
                    "exp_year": "2031",
                    "cvc": "123",
                },
            },
        },
        timeout=5,
    ).json()
    assert confirmed["status"] == "succeeded"
    response = client.post(reverse("payments:methods_save"), {"setup_intent_id": setup_intent_id})
    assert response.status_code == 200, response.content
    assert "4242" in response.json()["label"]
    cards = client.get(reverse("payments:methods_list"))
    assert "•••• 4242" in cards.content.decode()
