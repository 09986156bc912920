"""Issue 15 #1 in a real browser: a person who forgot their password resets it through the
link in the email (read back from the server's mail folder), logs in with the new one, and the
link does not work a second time; a newcomer confirms their address from the email link."""

import re

from playwright.sync_api import expect

from accounts.models import User
from accounts.tests.factories import UserFactory

NEW_PASSWORD = "a-brand-new-passphrase-42"


def _link(live_stack, message, path_prefix):
    text = live_stack.email_text(message)
    match = re.search(rf"{re.escape(live_stack.url)}({path_prefix}[^\s]+/)", text)
    assert match, text
    return match.group(1)


def test_forgotten_password_reset_through_the_email_link(page, live_stack):
    user = UserFactory(email="ada@example.com", first_name="Ada", last_name="Lovelace")

    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_role("button", name="Send the reset link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    message = live_stack.wait_for_email(
        to="ada@example.com", subject_contains="Reset your password"
    )
    link = _link(live_stack, message, "/accounts/reset/")
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set my new password").click()
    expect(page.get_by_role("heading", name="Your password has been changed")).to_be_visible()

    page.get_by_role("link", name="Log in").last.click()
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)

    page.goto(link)  # used once: a clear message
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("already been used or has expired")


def test_an_unknown_email_gets_the_same_page_and_no_email(page, live_stack):
    page.goto("/accounts/password_reset/")
    page.get_by_label("Email").fill("nobody@example.com")
    page.get_by_role("button", name="Send the reset link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    assert live_stack.emails_to("nobody@example.com") == []


def test_signup_banner_until_the_address_is_confirmed(page, live_stack):
    page.goto("/accounts/signup/")
    page.get_by_label("Email address").fill("new@example.com")
    page.get_by_label("First name").fill("New")
    page.get_by_label("Last name").fill("Person")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create account").click()
    banner = page.locator("#verify-banner")
    expect(banner).to_contain_text("Please confirm your email address")

    message = live_stack.wait_for_email(to="new@example.com", subject_contains="Confirm your email")
    page.goto(_link(live_stack, message, "/accounts/verify/"))
    expect(page.get_by_role("status").filter(has_text="is confirmed")).to_be_visible()
    expect(page.locator("#verify-banner")).to_have_count(0)
    assert User.objects.get(email="new@example.com").email_verified_at is not None
