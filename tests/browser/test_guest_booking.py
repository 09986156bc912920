"""A visitor without an account books a free intro call with the keyboard only, then opens the
link from the confirmation email, moves the session to another time and cancels it."""

import re
from decimal import Decimal

from playwright.sync_api import expect

from accounts.tests.factories import CoachFactory
from bookings.models import Booking
from bookings.tests.factories import (
    AvailabilitySlotFactory,
    SessionTypeFactory,
    at,
    future_weekday,
)
from tests.browser.test_a11y_keyboard import tab_to


def _htmx_idle(page) -> None:
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def test_guest_books_a_free_intro_call_and_manages_it_from_the_email(page, live_stack):
    coach = CoachFactory(
        user__first_name="Jane", user__last_name="Coach", hourly_rate=Decimal("150.00")
    )
    SessionTypeFactory(coach=coach, name="1:1 Coaching")  # paid: not offered to guests
    SessionTypeFactory(
        coach=coach,
        name="Intro call",
        price_factor=Decimal("0"),
        duration_default=30,
        duration_min=30,
        duration_max=30,
    )
    monday = future_weekday(0, weeks_ahead=3)
    AvailabilitySlotFactory(
        coach=coach, start=at(monday, 9), end=at(monday, 17), instant_booking=True
    )

    # The calendar, as a visitor: a free time opens the booking modal with the guest form.
    page.goto(f"/coaches/{coach.pk}/calendar/?week={monday.isoformat()}")
    expect(page.get_by_text("can also be booked as a guest")).to_be_visible()
    tab_to(page, page.get_by_test_id("free-slot").first)
    page.keyboard.press("Enter")
    dialog = page.locator("#modal-root dialog[open]")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_text("Intro call")).to_be_visible()
    expect(dialog.get_by_role("option", name="1:1 Coaching")).to_have_count(0)

    # Tab enters the group of start times on its first one (09:00); Space chooses it.
    tab_to(page, dialog.get_by_role("radio", name="09:00"))
    with page.expect_response(lambda r: "/book/" in r.url):
        page.keyboard.press("Space")
    _htmx_idle(page)
    expect(dialog.get_by_test_id("price-total")).to_have_text("CHF 0.00")
    tab_to(page, dialog.get_by_label("Your name"))
    page.keyboard.type("Gina Guest")
    tab_to(page, dialog.get_by_label("Your email"))
    page.keyboard.type("gina.guest@example.org")
    tab_to(page, dialog.get_by_role("button", name="Book as guest"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="You're booked!")).to_be_visible()
    expect(page.get_by_text("gina.guest@example.org")).to_be_visible()

    booking = Booking.objects.get(guest_email="gina.guest@example.org")
    assert booking.client_id is None and booking.status == Booking.Status.CONFIRMED
    assert booking.start == at(monday, 9)

    # The confirmation email's link opens the booking, without an account.
    message = live_stack.wait_for_email(to="gina.guest@example.org", subject_contains="Booked")
    link = re.search(r"https?://\S+(/bookings/guest/[^/\s]+/)", live_stack.email_text(message))
    assert link, live_stack.email_text(message)
    page.goto(link.group(1))
    expect(page.get_by_test_id("guest-status")).to_have_text("Confirmed")

    # Move it with the keyboard: Tab into the free times (the first is 09:30), Space picks it.
    tab_to(page, page.locator("#guest-reschedule input[type=radio]").first)
    page.keyboard.press("Space")
    expect(page.get_by_role("radio", name="09:30")).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Move the session"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your session has been moved")).to_be_visible()
    booking.refresh_from_db()
    assert booking.start == at(monday, 9, 30)

    # And cancel it.
    tab_to(page, page.get_by_label(re.compile("Reason")))
    page.keyboard.type("Found a slot with my team instead")
    tab_to(page, page.get_by_role("button", name="Cancel this session"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your session is cancelled")).to_be_visible()
    expect(page.get_by_test_id("guest-status")).to_have_text("Cancelled by client")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED_BY_CLIENT
