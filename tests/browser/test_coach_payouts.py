"""The whole money-out chain in a real browser: a coach connects on the Connect stand-in, a
client pays for a webinar, the hold passes (time moved, not slept), process_payouts transfers
the share once, and the coach sees the item paid and downloads the settlement advice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import requests
from playwright.sync_api import expect

from accounts.tests.factories import CoachFactory, UserFactory
from payments.models import PayoutItem
from payments.payouts.run import payouts_process
from tests.browser.test_webinar_booking import fill_card
from webinars.models import Registration
from webinars.tests.factories import WebinarFactory


def _transfers(live_stack) -> list[dict]:
    response = requests.get(
        f"{live_stack.localstripe_base}/v1/transfers",
        headers={"Authorization": "Bearer sk_test_localstripe"},
        timeout=10,
    )
    return response.json()["data"]


def test_coach_connects_client_pays_and_the_payout_arrives_once(page, live_stack, login):
    coach = CoachFactory(stripe_account_id="", user__first_name="Maya")
    webinar = WebinarFactory(coach=coach, title="Money out, end to end", price=Decimal("120.00"))

    # 1. The coach connects on the stand-in's onboarding page.
    login(page, coach.user)
    page.goto("/coach/payouts/")
    expect(page.get_by_test_id("payout-state")).to_contain_text("Not connected")
    page.get_by_role("button", name="Connect with Stripe").click()
    expect(page.get_by_role("heading", name="Set up payouts")).to_be_visible()
    page.get_by_role("button", name="Complete onboarding").click()
    expect(page.get_by_test_id("payout-state")).to_contain_text("Ready")
    page.get_by_role("button", name="Log out").click()

    # 2. A client pays for the webinar.
    client = UserFactory(first_name="Ada")
    login(page, client)
    page.goto(f"/webinars/{webinar.pk}/")
    page.get_by_role("button", name="Book webinar").click()
    fill_card(page, "4242424242424242")
    page.get_by_role("button", name="Save card").click()
    expect(page.get_by_role("radio", name="Visa •••• 4242")).to_be_checked()
    page.get_by_role("button", name="Pay CHF 120.00").click()
    expect(page.get_by_text("You're booked!")).to_be_visible(timeout=20_000)
    registration = Registration.objects.get(webinar=webinar, user=client)
    payment = registration.payment
    assert payment.transfer_group == f"registration_{registration.pk}"
    page.get_by_role("button", name="Log out").click()

    # 3. The hold passes (time moved) and the run transfers the share, once.
    last_end = webinar.slots.order_by("-end").first().end
    assert payouts_process(now=last_end - dt.timedelta(hours=1)).paid == 0
    report = payouts_process(now=last_end + dt.timedelta(hours=49))
    payouts_process(now=last_end + dt.timedelta(hours=50))
    [transfer] = _transfers(live_stack)
    payment.refresh_from_db()
    assert report.paid == 1
    assert transfer["amount"] == int(payment.coach_share * 100)
    assert transfer["source_transaction"] == payment.stripe_charge_id
    item = PayoutItem.objects.get(payment=payment)
    assert item.status == PayoutItem.Status.PAID and item.settlement.pdf

    # 4. The coach sees it paid and downloads the advice.
    login(page, coach.user)
    page.goto("/coach/payouts/")
    paid = page.get_by_test_id("paid-items")
    expect(paid).to_contain_text(f"CHF {payment.coach_share}")
    with page.expect_download() as download:
        paid.get_by_role("link", name=f"Settlement advice {item.settlement_id} (PDF)").click()
    path = download.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
