"""A client books and pays for a webinar in a real browser (Debian's Chromium) against the
live stack: daphne + localstripe (its Stripe.js stand-in and signed webhooks)."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from webinars.models import Registration
from webinars.tests.factories import MaterialFactory, RegistrationFactory, WebinarFactory


def fill_card(page, number: str) -> None:
    """localstripe's Card Element: plain inputs named by their placeholder."""
    element = page.locator("[data-card-element]")
    element.locator("input[placeholder=number]").fill(number)
    element.locator("input[placeholder=exp_month]").fill("12")
    element.locator("input[placeholder=exp_year]").fill("31")
    element.locator("input[placeholder=cvc]").fill("123")
    element.locator("input[placeholder=postal_code]").fill("8000")


def test_client_books_early_bird_webinar_pays_with_new_card_and_gets_join_link(
    page, live_stack, login
):
    webinar = WebinarFactory(
        title="Leading remote teams",
        price=Decimal("150.00"),
        early_bird_price=Decimal("120.00"),
        early_bird_deadline=timezone.now() + timedelta(days=3),
        max_attendees=10,
        join_link="https://meet.example.com/remote-teams",
    )
    material = MaterialFactory(webinar=webinar, title="Workbook")
    RegistrationFactory(webinar=webinar)
    client = UserFactory(first_name="Ada", last_name="Lovelace")
    login(page, client)

    page.goto("/webinars/")
    card = page.locator(".webinar-card", has_text="Leading remote teams")
    expect(card).to_contain_text("CHF 120.00")
    expect(card).to_contain_text("early bird until")
    expect(card).to_contain_text("9 spots left")
    card.get_by_role("link", name="Leading remote teams", exact=True).click()

    modal = page.get_by_role("dialog")
    expect(modal).to_contain_text("(early bird until")
    expect(modal).to_contain_text("9 spots left")
    modal.get_by_role("button", name="Book webinar").click()

    expect(modal).to_contain_text("Your seat is held for")
    expect(modal.locator(".pay-amount")).to_contain_text("CHF 120.00")
    expect(modal).to_contain_text("You have no saved cards yet")
    fill_card(page, "4242424242424242")
    modal.get_by_role("button", name="Save card").click()
    expect(modal.get_by_role("radio", name="Visa •••• 4242")).to_be_checked()

    modal.get_by_role("button", name="Pay CHF 120.00").click()
    expect(modal).to_contain_text("You're booked!", timeout=20_000)
    expect(modal.get_by_role("link", name="Join link")).to_be_visible()
    expect(modal.get_by_role("link", name="Workbook")).to_be_visible()

    registration = Registration.objects.get(webinar=webinar, user=client)
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.payment.status == "completed"
    mail = live_stack.wait_for_email(to=client.email, subject_contains="booked")
    assert "Leading remote teams" in live_stack.email_text(mail)

    page.goto("/bookings/mine/")
    booking = page.locator(f"#my-registration-{registration.pk}")
    expect(booking).to_contain_text("Leading remote teams")
    expect(booking).to_contain_text("Confirmed")
    expect(booking.get_by_role("link", name="Join")).to_have_attribute(
        "href", f"/webinars/{webinar.pk}/join/"
    )
    expect(booking.get_by_role("link", name="Workbook")).to_be_visible()

    # Somebody else, logged in, gets 403 on the material and the join URLs themselves.
    page.get_by_role("button", name="Log out").click()
    login(page, UserFactory())
    response = page.goto(f"/webinars/{webinar.pk}/materials/{material.pk}/")
    assert response.status == 403
    assert page.goto(f"/webinars/{webinar.pk}/join/").status == 403


def test_declined_card_shows_the_reason_and_keeps_the_seat_held(page, live_stack, login):
    webinar = WebinarFactory(title="Feedback that lands", max_attendees=1)
    client = UserFactory()
    login(page, client)
    page.goto(f"/webinars/{webinar.pk}/")
    page.get_by_role("button", name="Book webinar").click()
    fill_card(page, "4000000000000341")  # attaches fine, declined when charged
    page.get_by_role("button", name="Save card").click()
    expect(page.get_by_role("radio", name="Visa •••• 0341")).to_be_checked()
    page.get_by_role("button", name="Pay CHF 120.00").click()
    expect(page.locator("[data-pay-error]")).to_contain_text("declined")
    expect(page.locator("[data-pay-error]")).to_contain_text("Your seat stays held")
    assert Registration.objects.get(user=client).status == Registration.Status.HELD

    page.get_by_role("button", name="Cancel and release my seat").click()
    expect(page.locator(f"#webinar-{webinar.pk}-panel")).to_contain_text("Book webinar")
    assert Registration.objects.get(user=client).status == Registration.Status.CANCELLED


def test_three_d_secure_is_completed_in_the_browser_and_the_seat_confirmed(page, live_stack, login):
    webinar = WebinarFactory(title="Public speaking lab")
    client = UserFactory()
    login(page, client)
    page.goto(f"/webinars/{webinar.pk}/")
    page.get_by_role("button", name="Book webinar").click()
    fill_card(page, "4000002500003155")  # requires 3-D Secure
    page.get_by_role("button", name="Save card").click()
    # localstripe's Stripe.js plays the bank: once when the card is set up...
    page.get_by_role("button", name="Complete authentication").click()
    expect(page.get_by_role("radio", name="Visa •••• 3155")).to_be_checked()
    page.get_by_role("button", name="Pay CHF 120.00").click()
    # ...and once when the payment asks for it (the intent says requires_action).
    page.get_by_role("button", name="Complete authentication").click()
    expect(page.locator(f"#webinar-{webinar.pk}-panel")).to_contain_text(
        "You're booked!", timeout=20_000
    )
    assert Registration.objects.get(user=client).status == Registration.Status.CONFIRMED
