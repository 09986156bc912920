"""A newcomer signs up, logs out, logs back in, finds the coaches and sets their time zone."""

import re

from playwright.sync_api import expect

from accounts.models import User
from accounts.tests.factories import PASSWORD, CoachFactory, UserFactory

NEW_PASSWORD = "a-long-and-unusual-passphrase-42"


def fill_signup_form(page, *, email: str) -> None:
    page.get_by_label("Email address").fill(email)
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Lovelace")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password confirmation").fill(NEW_PASSWORD)


def test_signup_shows_taken_email_error_then_creates_account_and_lists_coaches(page, live_stack):
    coach = CoachFactory(user__first_name="Grace", user__last_name="Hopper")
    UserFactory(email="ada@example.com")

    page.goto("/")
    page.get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()

    fill_signup_form(page, email="ADA@example.com")  # taken, in another case
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert").filter(has_text="already exists")).to_be_visible()
    assert User.objects.filter(email__iexact="ada@example.com").count() == 1

    fill_signup_form(page, email="ada.lovelace@example.com")
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_text("Welcome, Ada Lovelace!")).to_be_visible()
    expect(page.get_by_role("heading", name=coach.user.get_full_name())).to_be_visible()
    assert User.objects.get(email="ada.lovelace@example.com").check_password(NEW_PASSWORD)
    welcome = live_stack.wait_for_email(to="ada.lovelace@example.com", subject_contains="Welcome")
    assert f"{live_stack.url}/" in live_stack.email_text(welcome)


def test_log_out_then_log_in_again_lands_on_the_launchpad_and_home_lists_coaches(
    page, live_stack, login
):
    CoachFactory(user__first_name="Grace", user__last_name="Hopper", headline="Career coach")
    client = UserFactory(first_name="Alan", last_name="Turing")

    login(page, client)
    expect(page.get_by_role("link", name="Alan Turing")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()

    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill(client.email)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("enter a correct email")

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))  # the Launchpad (issue 16)
    expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"home$")).first.click()
    expect(page.get_by_role("heading", name="Grace Hopper")).to_be_visible()
    expect(page.get_by_text("Career coach")).to_be_visible()


def test_profile_timezone_change_is_saved_and_shown(page, live_stack, login):
    client = UserFactory(timezone="Europe/Zurich")
    login(page, client)

    page.goto("/accounts/profile/")
    page.get_by_label("Timezone").select_option("America/New_York")
    page.get_by_role("button", name="Save profile").click()

    expect(page.get_by_text("Your profile has been saved.")).to_be_visible()
    expect(page.get_by_text("Times shown in America/New_York")).to_be_visible()
    client.refresh_from_db()
    assert client.timezone == "America/New_York"
