"""Saved cards page (issue 15 #2) against localstripe: list with brand, last 4, expiry and
the default badge; set the default (stored at Stripe as invoice_settings.default_payment_method
and mirrored on the user); delete (detached at Stripe, the default promotes another);
someone else's card is 404; the payment step's card list preselects the default."""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from payments import gateway
from payments.tests.stripe_helpers import card_with_number, saved_card

pytestmark = pytest.mark.django_db


def _stripe_default(user) -> str | None:
    customer = gateway.client().v1.customers.retrieve(user.stripe_customer_id).to_dict()
    return (customer.get("invoice_settings") or {}).get("default_payment_method")


def _two_cards(user):
    first = saved_card(user)
    second = card_with_number(user, "5555555555554444")
    return first, second


def test_page_needs_login(client):
    response = client.get(reverse("payments:methods"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_page_lists_cards_with_brand_last4_expiry_and_default_badge(client, localstripe):
    user = UserFactory()
    first, second = _two_cards(user)
    client.force_login(user)
    client.post(reverse("payments:methods_default", args=[second]))
    html = client.get(reverse("payments:methods")).content.decode()
    assert "•••• 4242" in html and "•••• 4444" in html
    assert "Visa" in html  # localstripe calls every card a Visa
    assert "expires 12/2034" in html
    assert html.count(">Default</span>") == 1
    row = html[html.index(f'data-card="{second}"') :]
    assert row.index(">Default</span>") < row.index("</li>")


def test_empty_page_says_so_and_offers_to_add(client, localstripe):
    client.force_login(UserFactory())
    html = client.get(reverse("payments:methods")).content.decode()
    assert "You have no saved cards yet" in html and "data-card-manager" in html


def test_set_default_is_stored_at_stripe_and_mirrored(client, localstripe):
    user = UserFactory()
    first, second = _two_cards(user)
    client.force_login(user)
    response = client.post(reverse("payments:methods_default", args=[second]))
    assert response.status_code == 302 and response["Location"] == reverse("payments:methods")
    user.refresh_from_db()
    assert user.default_payment_method_id == second
    assert _stripe_default(user) == second
    # and back again (a fresh idempotency key each time, so Stripe does not replay the first)
    client.post(reverse("payments:methods_default", args=[first]))
    client.post(reverse("payments:methods_default", args=[second]))
    user.refresh_from_db()
    assert user.default_payment_method_id == second == _stripe_default(user)


def test_deleting_the_default_detaches_it_and_promotes_another(client, localstripe):
    user = UserFactory()
    first, second = _two_cards(user)
    client.force_login(user)
    client.post(reverse("payments:methods_default", args=[first]))
    response = client.post(reverse("payments:methods_delete", args=[first]))
    assert response.status_code == 302
    assert gateway.payment_method_retrieve(first).get("customer") is None  # detached
    user.refresh_from_db()
    assert user.default_payment_method_id == second == _stripe_default(user)
    # the last card goes: no default left
    client.post(reverse("payments:methods_delete", args=[second]))
    user.refresh_from_db()
    assert user.default_payment_method_id == "" and not _stripe_default(user)
    assert "You have no saved cards yet" in client.get(reverse("payments:methods")).content.decode()


def test_deleting_another_card_keeps_the_default(client, localstripe):
    user = UserFactory()
    first, second = _two_cards(user)
    client.force_login(user)
    client.post(reverse("payments:methods_default", args=[first]))
    client.post(reverse("payments:methods_delete", args=[second]))
    user.refresh_from_db()
    assert user.default_payment_method_id == first == _stripe_default(user)


@pytest.mark.parametrize("action", ["methods_delete", "methods_default"])
def test_someone_elses_card_is_404_and_untouched(client, localstripe, action):
    owner = UserFactory()
    card = saved_card(owner)
    client.force_login(UserFactory())
    assert client.post(reverse(f"payments:{action}", args=[card])).status_code == 404
    # the fetch/JSON form of the same request
    response = client.post(
        reverse(f"payments:{action}", args=[card]), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 404
    assert gateway.payment_method_retrieve(card)["customer"] == owner.stripe_customer_id


def test_unknown_card_id_is_404(client, localstripe):
    user = UserFactory()
    saved_card(user)
    client.force_login(user)
    assert client.post(reverse("payments:methods_default", args=["pm_nope"])).status_code == 404


def test_delete_and_default_need_post(client, localstripe):
    user = UserFactory()
    card = saved_card(user)
    client.force_login(user)
    assert client.get(reverse("payments:methods_delete", args=[card])).status_code == 405
    assert client.get(reverse("payments:methods_default", args=[card])).status_code == 405


def test_payment_step_list_preselects_the_default_card(client, localstripe):
    user = UserFactory()
    first, second = _two_cards(user)
    client.force_login(user)
    client.post(reverse("payments:methods_default", args=[second]))
    html = client.get(reverse("payments:methods_list")).content.decode()
    assert f'value="{second}" checked' in html
    assert f'value="{first}" checked' not in html
    # a card just added (?selected=) wins; a foreign id falls back to the default
    chosen = client.get(reverse("payments:methods_list"), {"selected": first}).content.decode()
    assert f'value="{first}" checked' in chosen
    bogus = client.get(reverse("payments:methods_list"), {"selected": "pm_x"}).content.decode()
    assert f'value="{second}" checked' in bogus


def test_the_first_saved_card_becomes_the_default(client, localstripe):
    import requests

    user = UserFactory()
    client.force_login(user)
    secret = client.post(reverse("payments:methods_setup")).json()["client_secret"]
    setup_intent_id = secret.split("_secret_")[0]
    requests.post(
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
    ).raise_for_status()
    saved = client.post(reverse("payments:methods_save"), {"setup_intent_id": setup_intent_id})
    assert saved.status_code == 200
    user.refresh_from_db()
    assert user.default_payment_method_id == saved.json()["id"] == _stripe_default(user)


def test_the_profile_links_to_saved_cards(client):
    client.force_login(UserFactory())
    assert reverse("payments:methods") in client.get(reverse("accounts:profile")).content.decode()


# --- expiry flag: this month or next ---------------------------------------------------------


def _card_expiring(user, *, month: int, year: int) -> str:
    from payments.services import customer_ensure

    customer_id = customer_ensure(user=user)
    created = gateway.client().v1.payment_methods.create(
        params={
            "type": "card",
            "card": {
                "number": "4242424242424242",
                "exp_month": month,
                "exp_year": year,
                "cvc": "123",
            },
        }
    )
    gateway.payment_method_attach(
        payment_method_id=created.id, customer_id=customer_id, idempotency_key=f"t-{created.id}"
    )
    return created.id


def _next_month(today):
    return (1, today.year + 1) if today.month == 12 else (today.month + 1, today.year)


@pytest.mark.parametrize(
    ("today", "exp", "soon"),
    [
        ((2026, 12, 2), (12, 2026), True),  # this month
        ((2026, 12, 2), (1, 2027), True),  # next month, across the year
        ((2026, 12, 2), (2, 2027), False),
        ((2026, 5, 31), (6, 2026), True),
        ((2026, 5, 31), (7, 2026), False),
        ((2026, 5, 31), (4, 2026), True),  # already expired: flagged too
    ],
)
def test_expires_soon_is_this_month_or_next(today, exp, soon):
    import datetime as dt

    from payments.selectors import SavedCard

    card = SavedCard(id="pm_x", brand="Visa", last4="4242", exp_month=exp[0], exp_year=exp[1])
    assert card.expires_soon_on(dt.date(*today)) is soon


def test_cards_expiring_next_month_are_flagged_on_the_page_and_in_the_payment_step(
    client, localstripe
):
    from django.utils import timezone

    user = UserFactory()
    month, year = _next_month(timezone.localdate())
    soon = _card_expiring(user, month=month, year=year)
    later = saved_card(user)  # 12/2034
    client.force_login(user)
    html = client.get(reverse("payments:methods")).content.decode()
    soon_row = html[html.index(f'data-card="{soon}"') :]
    later_row = html[html.index(f'data-card="{later}"') :]
    assert "Expires soon" in soon_row[: soon_row.index("</li>")]
    assert "Expires soon" not in later_row[: later_row.index("</li>")]
    fragment = client.get(reverse("payments:methods_list")).content.decode()
    assert fragment.count("data-card-expiry>") == 1 and "Expires soon" in fragment
    assert "data-card-expiry-note" in fragment


def test_no_flag_when_no_card_expires_soon(client, localstripe):
    user = UserFactory()
    saved_card(user)
    client.force_login(user)
    fragment = client.get(reverse("payments:methods_list")).content.decode()
    assert "data-card-expiry" not in fragment


def test_a_users_first_stored_customer_id_wins_and_a_stale_copy_reads_it(localstripe):
    from accounts.models import User
    from payments.services import customer_ensure

    user = UserFactory()
    stale = User.objects.get(pk=user.pk)  # loaded by a request before any id was stored

    first = customer_ensure(user=user)

    assert first.startswith("cus_") and user.stripe_customer_id == first
    assert User.objects.get(pk=user.pk).stripe_customer_id == first
    User.objects.filter(pk=user.pk).update(stripe_customer_id="cus_stored_first")
    assert customer_ensure(user=stale) == "cus_stored_first"
    assert stale.stripe_customer_id == "cus_stored_first"
