"""A 1:1 request sent with a message (issue 8, item 4). The message box's `change` fired when it
lost focus on the click of "Send request"; the form's `hx-trigger="change"` then redrew the
panel with a GET that raced the POST and won: no payment step, yet a booking held the time,
and a second click said "This time overlaps another session".

The redraw is slowed down here (1.5 s, a slow network) so that the race is decided the same
way on every run: before the fix the late GET always replaced the payment step."""

import contextlib
import re
import time
from decimal import Decimal

from playwright.sync_api import expect

from accounts.tests.factories import CoachFactory, UserFactory
from bookings.models import Booking
from bookings.tests.factories import AvailabilitySlotFactory, SessionTypeFactory, at, future_weekday


def _slow_redraws(page) -> list[str]:
    seen: list[str] = []

    def handle(route):
        if route.request.method == "GET":
            seen.append(route.request.url)
            time.sleep(1.5)
        # The page may have aborted the request meanwhile (hx-sync): then nothing to send.
        with contextlib.suppress(Exception):
            route.continue_()

    page.route(re.compile(r".*/coaches/\d+/book/.*"), handle)
    return seen


def _wait_for_htmx(page) -> None:
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def test_a_request_with_a_message_opens_the_payment_step_and_holds_one_booking(
    page, live_stack, login
):
    coach = CoachFactory(
        user__first_name="Jane", user__last_name="Coach", hourly_rate=Decimal("150")
    )
    SessionTypeFactory(coach=coach, name="1:1 Coaching")
    day = future_weekday(1, weeks_ahead=3)
    AvailabilitySlotFactory(coach=coach, start=at(day, 9), end=at(day, 17), instant_booking=False)
    client = UserFactory(first_name="Ada", last_name="Client")

    login(page, client)
    page.goto(f"/coaches/{coach.pk}/calendar/?week={day.isoformat()}")
    page.get_by_role("listitem", name=re.compile(day.strftime("%A"))).get_by_test_id(
        "free-slot"
    ).first.click()
    expect(page.get_by_role("dialog")).to_be_visible()
    with page.expect_response(lambda response: "/book/" in response.url):
        page.get_by_role("radio", name="14:00").check()
    _wait_for_htmx(page)
    expect(page.get_by_test_id("price-total")).to_have_text("CHF 150.00")

    redraws = _slow_redraws(page)
    page.get_by_label(re.compile("Message to the coach")).fill("Looking forward to it!")
    page.get_by_role("button", name="Send request").click()  # the message box loses focus

    expect(page.get_by_text("You have no saved cards yet")).to_be_visible(timeout=10_000)
    time.sleep(2.5)  # longer than a slowed redraw: a late GET would have landed by now
    _wait_for_htmx(page)
    expect(page.get_by_text("You have no saved cards yet")).to_be_visible()
    expect(page.get_by_role("button", name="Send request")).to_have_count(0)
    booking = Booking.objects.get(client=client)
    assert booking.status == Booking.Status.PAYMENT_PENDING
    assert booking.client_message == "Looking forward to it!"
    assert redraws == []  # typing a message redraws nothing
