"""A coach's "Get paid" onboarding against the Connect stand-in, the Connect webhook endpoint
and sync_connect_accounts."""

from __future__ import annotations

import json

import pytest
import requests
from django.core.management import call_command
from django.urls import reverse

from accounts.tests.factories import CoachFactory, UserFactory
from payments.models import ConnectAccount, WebhookEvent
from payments.payouts import gateway as connect
from payments.tests.connect_helpers import connect_events
from payments.tests.stripe_helpers import sign

pytestmark = pytest.mark.django_db
CONNECT_WEBHOOK = "/payments/stripe/connect-webhook/"


@pytest.fixture
def new_coach():
    return CoachFactory(stripe_account_id="")


def _post_event(client, event: dict, *, secret=None, signature=None):
    from django.conf import settings

    payload = json.dumps(event).encode()
    headers = {}
    if signature is not False:
        headers["HTTP_STRIPE_SIGNATURE"] = signature or sign(
            payload, secret or settings.STRIPE_CONNECT_WEBHOOK_SECRET
        )
    return client.post(CONNECT_WEBHOOK, data=payload, content_type="application/json", **headers)


def test_not_connected_coach_sees_the_connect_button(client, new_coach):
    client.force_login(new_coach.user)

    page = client.get(reverse("payouts:overview"))

    assert page.status_code == 200
    assert b'data-state="not_connected"' in page.content
    assert b"Connect with Stripe" in page.content


def test_payouts_page_is_for_coaches_only(client):
    client.force_login(UserFactory())
    assert client.get(reverse("payouts:overview")).status_code == 404
    client.logout()
    assert client.get(reverse("payouts:overview")).status_code == 302  # to the login page


def test_connect_creates_the_account_once_and_redirects_to_a_fresh_link(
    client, new_coach, localstripe
):
    client.force_login(new_coach.user)

    first = client.post(reverse("payouts:connect"))
    second = client.post(reverse("payouts:connect"))

    assert first.status_code == 303 and second.status_code == 303
    assert "/connect/onboarding/" in first["Location"]
    assert first["Location"] != second["Location"]  # links are made on demand, never stored
    new_coach.refresh_from_db()
    account = ConnectAccount.objects.get(coach=new_coach)
    assert new_coach.stripe_account_id == account.stripe_account_id
    listed = requests.get(
        f"{localstripe['base']}/v1/accounts",
        headers={"Authorization": "Bearer sk_test_localstripe"},
    ).json()["data"]
    assert [a["id"] for a in listed] == [account.stripe_account_id]
    assert not new_coach.is_payment_ready


def test_reaching_the_return_url_without_finishing_does_not_make_the_coach_ready(
    client, new_coach, localstripe
):
    client.force_login(new_coach.user)
    link = client.post(reverse("payouts:connect"))["Location"]
    requests.post(link, data={"action": "later"}, allow_redirects=False)

    back = client.get(reverse("payouts:return"), follow=True)

    assert b'data-state="details_missing"' in back.content
    assert b"external account" in back.content
    new_coach.refresh_from_db()
    assert not new_coach.is_payment_ready


def test_completed_onboarding_then_return_shows_ready(client, new_coach, localstripe):
    client.force_login(new_coach.user)
    link = client.post(reverse("payouts:connect"))["Location"]
    done = requests.post(link, data={"action": "complete"}, allow_redirects=False)
    assert done.headers["Location"].endswith(reverse("payouts:return"))

    back = client.get(reverse("payouts:return"), follow=True)

    assert b'data-state="ready"' in back.content
    new_coach.refresh_from_db()
    assert new_coach.is_payment_ready


def test_refresh_url_makes_a_new_link_and_needs_a_login(client, new_coach, localstripe):
    assert client.get(reverse("payouts:refresh")).status_code == 302  # login first
    client.force_login(new_coach.user)

    response = client.get(reverse("payouts:refresh"))

    assert response.status_code == 302
    assert "/connect/onboarding/" in response["Location"]


def test_open_stripe_dashboard_is_a_login_link(client, new_coach, localstripe):
    client.force_login(new_coach.user)
    client.post(reverse("payouts:connect"))

    response = client.post(reverse("payouts:dashboard"))

    assert response.status_code == 303
    assert "/connect/express/" in response["Location"]


def test_account_updated_webhook_makes_the_coach_ready_once(client, new_coach, localstripe):
    client.force_login(new_coach.user)
    link = client.post(reverse("payouts:connect"))["Location"]
    requests.post(link, data={"action": "complete"}, allow_redirects=False)
    [event] = connect_events(localstripe["base"], "account.updated")  # what the stand-in sent

    first = _post_event(client, event)
    again = _post_event(client, event)

    assert first.json()["outcome"] == "processed"
    assert again.json()["outcome"] == "duplicate"
    assert WebhookEvent.objects.filter(stripe_event_id=event["id"]).count() == 1
    new_coach.refresh_from_db()
    assert new_coach.is_payment_ready


@pytest.mark.parametrize("signature", [False, "t=1,v1=deadbeef", "wrong-secret"])
def test_connect_webhook_with_bad_or_missing_signature_is_400_and_changes_nothing(
    client, signature
):
    coach = CoachFactory(payments_ready=False)
    event = {
        "id": "evt_forged",
        "object": "event",
        "type": "account.updated",
        "livemode": False,
        "account": coach.stripe_account_id,
        "data": {
            "object": {
                "id": coach.stripe_account_id,
                "details_submitted": True,
                "payouts_enabled": True,
                "capabilities": {"transfers": "active"},
                "requirements": {"currently_due": []},
            }
        },
    }
    if signature == "wrong-secret":
        response = _post_event(client, event, secret="whsec_platform_not_connect")
    else:
        response = _post_event(client, event, signature=signature)

    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()
    coach.refresh_from_db()
    assert not coach.is_payment_ready


def test_sync_connect_accounts_repairs_a_lost_account_updated(new_coach, localstripe):
    from payments.payouts.connect import connect_account_ensure
    from payments.tests.connect_helpers import complete_onboarding

    account = connect_account_ensure(coach=new_coach)
    complete_onboarding(localstripe["base"], account.stripe_account_id)  # event never delivered
    assert not ConnectAccount.objects.get(pk=account.pk).is_ready

    call_command("sync_connect_accounts", "--coach", str(new_coach.pk))

    assert ConnectAccount.objects.get(pk=account.pk).is_ready


def test_demo_style_stored_id_unknown_to_stripe_gets_a_real_account(localstripe):
    coach = CoachFactory(stripe_account_id="acct_demo_someone", payments_ready=False)
    ConnectAccount.objects.filter(coach=coach).delete()
    from payments.payouts.connect import connect_account_ensure

    account = connect_account_ensure(coach=coach)

    assert account.stripe_account_id.startswith("acct_1")
    assert connect.account_retrieve(account.stripe_account_id)["metadata"]["coach_id"] == str(
        coach.pk
    )


def test_dashboard_earnings_include_webinar_sales(client):
    from django.utils import timezone

    from payments.models import Payment

    coach = CoachFactory()
    Payment.objects.create(
        payer=UserFactory(),
        coach=coach,
        purpose=Payment.Purpose.WEBINAR_REGISTRATION,
        status=Payment.Status.COMPLETED,
        currency="CHF",
        amount_total="120.00",
        amount_net="111.01",
        vat_rate="8.1",
        vat_amount="8.99",
        platform_fee="16.65",
        coach_share="94.36",
        completed_at=timezone.now(),
    )
    client.force_login(coach.user)

    page = client.get(reverse("core:coach_dashboard")).content.decode()

    assert "94.36" in page.split('data-testid="earnings"')[1].split("</p>")[0]
    assert "94.36" in page.split('data-testid="earnings-webinars"')[1].split("</span>")[0]
    assert reverse("payouts:overview") in page
