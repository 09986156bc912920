"""POST /webinars/<id>/register/: the seed's validations, statuses and messages, price from
the server only, the seat hold, free webinars, Stripe unreachable."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from payments.models import Payment
from webinars.models import Registration, Webinar
from webinars.tests.factories import HeldRegistrationFactory, RegistrationFactory, WebinarFactory

pytestmark = pytest.mark.django_db


def register(client, webinar_id, **extra):
    return client.post(
        reverse("webinars:register", args=[webinar_id]), HTTP_ACCEPT="application/json", **extra
    )


@pytest.fixture
def user_client(client):
    user = UserFactory()
    client.force_login(user)
    client.user = user
    return client


def test_unknown_webinar_returns_404(user_client):
    response = register(user_client, 999999)
    assert response.status_code == 404
    assert response.json() == {"message": "Webinar not found."}


@pytest.mark.parametrize("status", [Webinar.Status.DRAFT, Webinar.Status.COMPLETED])
def test_webinar_not_open_for_booking_returns_400(user_client, status):
    webinar = WebinarFactory(status=status)
    response = register(user_client, webinar.pk)
    assert response.status_code == 400
    assert response.json()["message"] == "This webinar is not open for booking."
    assert not Registration.objects.exists()


def test_cancelled_webinar_returns_400_saying_it_was_cancelled(user_client):
    webinar = WebinarFactory(status=Webinar.Status.CANCELLED)
    response = register(user_client, webinar.pk)
    assert response.status_code == 400
    assert response.json() == {"message": "This webinar has been cancelled."}
    assert not Registration.objects.exists()


def test_started_webinar_returns_400_booking_closed(user_client):
    webinar = WebinarFactory(slots__starts_in=timedelta(minutes=-5))
    response = register(user_client, webinar.pk)
    assert response.status_code == 400
    assert response.json()["message"] == (
        "Webinar booking has closed as the start time is in the past."
    )


def test_already_registered_returns_409(user_client):
    webinar = WebinarFactory()
    RegistrationFactory(webinar=webinar, user=user_client.user)
    response = register(user_client, webinar.pk)
    assert response.status_code == 409
    assert response.json()["message"] == "You are already registered for this webinar."


def test_full_webinar_returns_403_and_takes_no_seat(user_client):
    webinar = WebinarFactory(max_attendees=2)
    RegistrationFactory(webinar=webinar)
    HeldRegistrationFactory(webinar=webinar)
    response = register(user_client, webinar.pk)
    assert response.status_code == 403
    assert response.json()["message"] == "This webinar is currently full."
    assert Registration.objects.filter(user=user_client.user).count() == 0


def test_price_not_set_returns_400(user_client):
    webinar = WebinarFactory(price=None)
    response = register(user_client, webinar.pk)
    assert response.status_code == 400
    assert "price is not set up" in response.json()["message"]


def test_price_the_currency_cannot_charge_returns_400(user_client):
    webinar = WebinarFactory(price=Decimal("12.50"), currency="JPY")
    assert register(user_client, webinar.pk).status_code == 400


def test_coach_booking_own_webinar_returns_400(client):
    webinar = WebinarFactory()
    client.force_login(webinar.coach.user)
    response = register(client, webinar.pk)
    assert response.status_code == 400
    assert response.json()["message"] == "You can't book your own webinar."


def test_validation_order_started_wins_over_already_registered_and_full(user_client):
    webinar = WebinarFactory(max_attendees=1, slots__starts_in=timedelta(minutes=-1))
    RegistrationFactory(webinar=webinar, user=user_client.user)
    assert register(user_client, webinar.pk).status_code == 400


def test_validation_order_full_wins_over_price_not_set(user_client):
    webinar = WebinarFactory(max_attendees=1, price=None)
    RegistrationFactory(webinar=webinar, amount=Decimal("0"))
    assert register(user_client, webinar.pk).status_code == 403


def test_anonymous_json_gets_401_and_form_post_redirects_to_login(client):
    webinar = WebinarFactory()
    assert register(client, webinar.pk).status_code == 401
    response = client.post(reverse("webinars:register", args=[webinar.pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_post_without_csrf_token_is_rejected_with_403():
    user = UserFactory()
    webinar = WebinarFactory()
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(user)
    response = register(csrf_client, webinar.pk)
    assert response.status_code == 403
    assert not Registration.objects.exists()


def test_free_webinar_confirms_at_once_without_stripe(
    user_client, stripe_down, django_capture_on_commit_callbacks
):
    webinar = WebinarFactory(price=Decimal("0"))
    with django_capture_on_commit_callbacks(execute=True):
        response = register(user_client, webinar.pk)
    assert response.status_code == 200
    body = response.json()
    assert body["free_booking"] is True
    registration = Registration.objects.get(pk=body["registration_id"])
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.price_reason == "free"
    assert not Payment.objects.exists()


def test_tampered_price_fields_are_ignored(user_client, localstripe):
    webinar = WebinarFactory(price=Decimal("120.00"))
    response = user_client.post(
        reverse("webinars:register", args=[webinar.pk]),
        {"amount": "1.00", "price": "1", "currency": "JPY", "price_reason": "early_bird"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    assert response.json()["amount"] == "120.00"
    assert response.json()["price_reason"] == "regular"
    payment = Payment.objects.get()
    assert (payment.amount_total, payment.currency) == (Decimal("120.00"), "CHF")


def test_early_bird_price_applies_before_the_deadline_only(user_client, localstripe):
    early = WebinarFactory(
        price=Decimal("150.00"),
        early_bird_price=Decimal("99.00"),
        early_bird_deadline=timezone.now() + timedelta(hours=1),
    )
    late = WebinarFactory(
        price=Decimal("150.00"),
        early_bird_price=Decimal("99.00"),
        early_bird_deadline=timezone.now() - timedelta(seconds=1),
    )
    assert register(user_client, early.pk).json()["amount"] == "99.00"
    assert register(user_client, late.pk).json()["amount"] == "150.00"


def test_hold_counts_against_capacity_with_its_expiry(user_client, localstripe, settings):
    webinar = WebinarFactory(max_attendees=1)
    before = timezone.now()
    register(user_client, webinar.pk)
    registration = Registration.objects.get()
    assert registration.status == Registration.Status.HELD
    assert registration.hold_expires_at >= before + timedelta(minutes=settings.SEAT_HOLD_MINUTES)
    other = Client()
    other.force_login(UserFactory())
    assert register(other, webinar.pk).status_code == 403


def test_expired_hold_of_someone_else_frees_the_seat_for_a_new_booking(user_client, localstripe):
    webinar = WebinarFactory(max_attendees=1)
    stale = HeldRegistrationFactory(
        webinar=webinar, hold_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert register(user_client, webinar.pk).status_code == 200
    stale.refresh_from_db()
    assert stale.status == Registration.Status.EXPIRED


def test_stripe_unreachable_releases_the_hold_and_records_no_payment(user_client, stripe_down):
    webinar = WebinarFactory(max_attendees=1)
    response = register(user_client, webinar.pk)
    assert response.status_code == 503
    assert "payment provider" in response.json()["message"]
    assert Registration.objects.get().status == Registration.Status.CANCELLED
    assert not Payment.objects.exists()
    # the seat is free again
    assert Registration.objects.filter(status__in=Registration.LIVE_STATUSES).count() == 0


def test_htmx_register_returns_the_payment_step_in_the_booking_panel(user_client, localstripe):
    webinar = WebinarFactory()
    response = user_client.post(
        reverse("webinars:register", args=[webinar.pk]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="webinar-{webinar.pk}-panel"' in html
    assert "data-payment-step" in html
    assert "CHF 120.00" in html
    assert "Your seat is held for" in html
    assert "<html" not in html


def test_htmx_register_error_shows_the_message_in_the_panel(client):
    webinar = WebinarFactory()
    client.force_login(webinar.coach.user)
    response = client.post(reverse("webinars:register", args=[webinar.pk]), HTTP_HX_REQUEST="true")
    assert "You can&#x27;t book your own webinar." in response.content.decode()
