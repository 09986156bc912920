"""Calendly in the browser: a coach connects Calendly on /coach/integrations/ with the keyboard
only; an invitee books tomorrow 10:00 on (the stand-in of) Calendly, which delivers a signed
`invitee.created` to our webhook; a client opening the coach's booking page no longer gets
10:00, while the times around it are still offered."""

from __future__ import annotations

import datetime as dt
import time

import requests
from playwright.sync_api import expect

from accounts.tests.factories import CoachFactory, UserFactory
from bookings.models import AvailabilitySlot, Booking
from bookings.tests.factories import ZURICH, SessionTypeFactory, at
from integrations.calendly_standin.server import DEMO_TOKEN
from integrations.models import CalendlyConnection


def _wait_for(predicate, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_coach_connects_with_the_keyboard_and_a_calendly_booking_blocks_that_time(
    page, live_stack, login
):
    coach = CoachFactory(user__first_name="Jane", user__last_name="Coach")
    SessionTypeFactory(coach=coach, name="1:1 Coaching", duration_default=60)
    tomorrow = (dt.datetime.now(ZURICH) + dt.timedelta(days=1)).date()
    AvailabilitySlot.objects.create(
        coach=coach, start=at(tomorrow, 8), end=at(tomorrow, 13), instant_booking=True
    )

    # The coach connects Calendly, keyboard only.
    login(page, coach.user)
    page.goto("/coach/integrations/")
    token = page.get_by_label("Personal access token")
    token.focus()
    page.keyboard.type(DEMO_TOKEN)
    page.keyboard.press("Tab")  # the routing-forms checkbox
    page.keyboard.press("Tab")  # the Connect button
    expect(page.get_by_role("button", name="Connect Calendly")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("calendly-state")).to_contain_text("Connected")
    expect(page.get_by_text(DEMO_TOKEN[-4:], exact=True)).to_be_visible()
    assert DEMO_TOKEN not in page.content()
    connection = CalendlyConnection.objects.get(coach=coach)
    assert connection.state == "active"

    # Someone books tomorrow 10:00 on Calendly: a signed invitee.created reaches our webhook.
    start = at(tomorrow, 10)
    answer = requests.post(
        f"{live_stack.calendly_base}/_standin/invitees",
        json={
            "start_time": start.isoformat(),
            "duration": 30,
            "name": "Carla Calendly",
            "email": "carla@example.com",
        },
        timeout=15,
    ).json()
    assert [d["status"] for d in answer["deliveries"]] == [200]
    booking = _wait_for(
        lambda: Booking.objects.filter(coach=coach, source=Booking.Source.CALENDLY).first()
    )
    assert booking.start == start and booking.status == Booking.Status.CONFIRMED

    # A client on the coach's booking page: 10:00 is gone, 09:00 and 11:00 are still there.
    login(page, UserFactory(first_name="Ada"))
    page.goto(f"/coaches/{coach.pk}/book/?date={tomorrow.isoformat()}")
    expect(page.get_by_role("radio", name="11:00")).to_be_visible()
    expect(page.get_by_role("radio", name="09:00")).to_be_visible()
    expect(page.get_by_role("radio", name="10:00")).to_have_count(0)
