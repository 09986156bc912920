"""Issue 15 #2 in a real browser: a client manages saved cards on /payments/methods/ (linked
from the profile): adds a card through the Card Element and a SetupIntent, adds a second one
that needs 3-D Secure, makes it the default, deletes the default (the other is promoted)."""

from playwright.sync_api import expect

from accounts.models import User
from accounts.tests.factories import UserFactory
from payments import gateway
from tests.browser.test_webinar_booking import fill_card


def _row(page, last4):
    return page.locator(".saved-card-row", has_text=f"•••• {last4}")


def test_client_adds_sets_default_and_deletes_cards(page, live_stack, login):
    user = UserFactory(first_name="Ada", last_name="Lovelace")
    login(page, user)
    page.goto("/accounts/profile/")
    page.get_by_role("link", name="Saved cards").click()
    expect(page.get_by_role("heading", name="Saved cards")).to_be_visible()
    expect(page.get_by_text("You have no saved cards yet")).to_be_visible()

    fill_card(page, "4242424242424242")
    page.get_by_role("button", name="Save card").click()
    expect(_row(page, "4242")).to_contain_text("Default")  # the first card is the default
    expect(_row(page, "4242")).to_contain_text("expires 12/2031")

    fill_card(page, "4000002500003155")  # the bank asks for 3-D Secure
    page.get_by_role("button", name="Save card").click()
    page.get_by_role("button", name="Complete authentication").click()
    expect(_row(page, "3155")).to_be_visible()
    expect(_row(page, "3155")).not_to_contain_text("Default")

    _row(page, "3155").get_by_role("button", name="Make Visa ending 3155 the default").click()
    expect(page.get_by_role("status").filter(has_text="now your default")).to_be_visible()
    expect(_row(page, "3155")).to_contain_text("Default")
    expect(_row(page, "4242")).not_to_contain_text("Default")
    user = User.objects.get(pk=user.pk)
    default_id = user.default_payment_method_id
    customer = gateway.client().v1.customers.retrieve(user.stripe_customer_id).to_dict()
    assert customer["invoice_settings"]["default_payment_method"] == default_id

    _row(page, "3155").get_by_role("button", name="Delete Visa ending 3155").click()
    expect(page.get_by_text("The card has been removed.")).to_be_visible()
    expect(_row(page, "3155")).to_have_count(0)
    expect(_row(page, "4242")).to_contain_text("Default")  # promoted
    assert gateway.payment_method_retrieve(default_id).get("customer") is None
