"""The payments endpoints' contract: JSON errors, ownership, anonymous callers."""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from payments.models import Payment
from webinars.services import webinar_register
from webinars.tests.factories import WebinarFactory

pytestmark = pytest.mark.django_db


def test_anonymous_confirm_gets_401_json(client):
    response = client.post(reverse("payments:confirm"), {"payment_intent_id": "pi_x"})
    assert response.status_code == 401 and "log in" in response.json()["message"].lower()


def test_confirm_without_a_card_is_400(client):
    client.force_login(UserFactory())
    response = client.post(reverse("payments:confirm"), {"payment_intent_id": "pi_x"})
    assert response.status_code == 400
    assert response.json()["message"] == "Please choose a card to pay with."


def test_confirm_someone_elses_payment_is_404_and_nothing_changes(client, localstripe):
    owner = UserFactory()
    payment = webinar_register(webinar_id=WebinarFactory().pk, user=owner).payment
    client.force_login(UserFactory())
    response = client.post(
        reverse("payments:confirm"),
        {
            "payment_intent_id": payment.stripe_payment_intent_id,
            "payment_method_id": "pm_card_visa",
        },
    )
    assert response.status_code == 404
    assert Payment.objects.get().status == Payment.Status.PENDING


def test_confirm_accepts_the_seed_camel_case_json_body(client, localstripe):
    from payments.tests.stripe_helpers import saved_card

    user = UserFactory()
    payment = webinar_register(webinar_id=WebinarFactory().pk, user=user).payment
    client.force_login(user)
    response = client.post(
        reverse("payments:confirm"),
        {
            "paymentIntentId": payment.stripe_payment_intent_id,
            "paymentMethodId": saved_card(user),
        },
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "processing"


def test_status_shows_only_the_payers_own_payment(client, localstripe):
    owner = UserFactory()
    payment = webinar_register(webinar_id=WebinarFactory().pk, user=owner).payment
    url = reverse("payments:status", args=[payment.stripe_payment_intent_id])
    client.force_login(owner)
    assert client.get(url).json()["status"] == "pending"
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_saved_cards_fragment_lists_cards_as_radios(client, localstripe):
    from payments.tests.stripe_helpers import saved_card

    user = UserFactory()
    card_id = saved_card(user)
    client.force_login(user)
    html = client.get(reverse("payments:methods_list")).content.decode()
    assert f'value="{card_id}"' in html and "checked" in html and "•••• 4242" in html


def test_detaching_a_card_of_another_customer_is_404(client, localstripe):
    from payments.tests.stripe_helpers import saved_card

    card_id = saved_card(UserFactory())
    client.force_login(UserFactory())
    response = client.post(reverse("payments:methods_delete", args=[card_id]))
    assert response.status_code == 404


def test_webhook_get_is_not_allowed(client):
    assert client.get(reverse("payments:stripe_webhook")).status_code == 405
