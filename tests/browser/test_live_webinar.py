"""Live updates in two browsers: the coach watches their webinar while a client books and pays
in another browser context; the coach's page changes without a reload."""

import re

from playwright.sync_api import expect

from accounts.tests.factories import CoachFactory, UserFactory
from webinars.models import Registration
from webinars.tests.factories import WebinarFactory

LIVE_TIMEOUT = 20_000  # ms; the webhook goes localstripe -> daphne -> Redis/in-memory -> browser


def _add_card_and_pay(page) -> None:
    """What a client does on the payment step with localstripe's Card Element stand-in."""
    expect(page.get_by_text("You have no saved cards yet")).to_be_visible()
    add_card = page.locator("[data-add-card]")
    if not add_card.evaluate("details => details.open"):  # the step may open it by itself
        page.get_by_text("Add a card").click()
    page.get_by_placeholder("number").fill("4242424242424242")
    page.get_by_placeholder("exp_month").fill("12")
    page.get_by_placeholder("exp_year").fill("31")
    page.get_by_placeholder("cvc").fill("123")
    page.get_by_placeholder("postal_code").fill("8001")
    page.get_by_role("button", name="Save card").click()
    page.get_by_role("radio", name=re.compile("4242")).check()
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()


def test_coach_sees_attendee_count_spots_and_bell_change_live_when_a_client_pays(
    page, live_stack, login
):
    coach = CoachFactory(user__first_name="Jane", user__last_name="Coach")
    webinar = WebinarFactory(coach=coach, max_attendees=10, title="Leading remote teams")
    client = UserFactory(first_name="Ada", last_name="Client")

    # The coach has the webinar open.
    login(page, coach.user)
    page.goto(f"/webinars/{webinar.pk}/")
    attendees = page.locator(f"#webinar-{webinar.pk}-attendees")
    expect(attendees).to_contain_text("0 / 10")
    expect(page.locator(f"#webinar-{webinar.pk}-spots")).to_contain_text("10 spots left")
    expect(page.locator("body")).to_have_attribute("data-live", "open")  # user stream is up
    expect(page.locator("#notifications-bell .count")).to_have_count(0)
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads

    # A client books and pays in another browser.
    client_context = page.context.browser.new_context(base_url=live_stack.url)
    try:
        client_page = client_context.new_page()
        login(client_page, client)
        client_page.goto(f"/webinars/{webinar.pk}/")
        client_page.get_by_role("button", name="Book webinar").click()
        _add_card_and_pay(client_page)
        expect(client_page.get_by_text("You're booked!")).to_be_visible(timeout=LIVE_TIMEOUT)
    finally:
        client_context.close()

    # The coach's page changed by itself.
    expect(attendees).to_contain_text("1 / 10", timeout=LIVE_TIMEOUT)
    expect(page.locator(f"#webinar-{webinar.pk}-spots")).to_contain_text("9 spots left")
    bell = page.locator("#notifications-bell")
    expect(bell.locator(".count")).to_have_text(re.compile(r"^[1-9]"))
    expect(bell).to_have_attribute("aria-label", re.compile(r"Notifications, \d+ unread"))
    expect(page.locator("#toasts")).to_contain_text("New attendee for Leading remote teams")
    assert page.evaluate("window.__sameDocument") is True
    assert Registration.objects.get(webinar=webinar).status == Registration.Status.CONFIRMED

    # And the coach's notifications page lists it.
    bell.click()
    expect(page.get_by_role("link", name="New attendee for Leading remote teams")).to_be_visible()


def test_booking_panel_falls_back_to_polling_when_websockets_cannot_connect(
    page, live_stack, login
):
    webinar = WebinarFactory(max_attendees=5)
    client = UserFactory()
    # Every websocket this page opens is closed at once (a proxy that drops upgrades).
    page.route_web_socket(re.compile(r".*/ws/.*"), lambda ws: ws.close(code=1008))

    login(page, client)
    page.goto(f"/webinars/{webinar.pk}/")
    expect(page.locator("body")).to_have_attribute("data-live", "closed")
    page.get_by_role("button", name="Book webinar").click()
    _add_card_and_pay(page)

    expect(page.get_by_text("You're booked!")).to_be_visible(timeout=LIVE_TIMEOUT)
    assert Registration.objects.get(webinar=webinar).status == Registration.Status.CONFIRMED


def test_a_live_push_of_the_panel_in_use_keeps_keyboard_focus_in_it(page, live_stack, login):
    # The booking panel is re-rendered by a push (another tab, a payment webhook) while the
    # attendee's keyboard focus is on a control inside it: focus stays in the new panel.
    import threading

    from notifications.live import push_booking_panel_now
    from webinars.tests.factories import RegistrationFactory

    webinar = WebinarFactory(max_attendees=10, title="Leading remote teams")
    registration = RegistrationFactory(webinar=webinar, status=Registration.Status.CONFIRMED)
    login(page, registration.user)
    page.goto(f"/webinars/{webinar.pk}/")
    expect(page.locator("body")).to_have_attribute("data-live", "open")
    panel = page.locator(f"#webinar-{webinar.pk}-panel")
    expect(panel).to_contain_text("You're booked!")
    panel.get_by_test_id("cancel-seat-link").focus()
    panel.evaluate("el => { el.dataset.beforePush = '1'; }")

    # the channel layer call from a thread of its own: this thread runs Playwright's loop
    pusher = threading.Thread(target=push_booking_panel_now, args=[registration.pk])
    pusher.start()
    pusher.join(timeout=10)

    replaced = page.locator(f"#webinar-{webinar.pk}-panel:not([data-before-push])")
    expect(replaced).to_contain_text("You're booked!", timeout=LIVE_TIMEOUT)
    assert page.evaluate(
        f"document.getElementById('webinar-{webinar.pk}-panel').contains(document.activeElement)"
    )
