"""Live pushes only swap what the open page has: the user's stream carries fragments for
every page they may have open (booking panels, the coach's request count), and a page
without that element must neither log htmx:oobErrorNoTarget nor lose the push elsewhere.
The pushes are the real ones (notifications.live.push_booking_status_now through the Redis
channel layer the server listens on)."""

import os
import threading

import pytest
from playwright.sync_api import expect

from bookings.models import Booking
from tests.browser.a11y_support import seed_world, session_cookie

pytestmark = [
    pytest.mark.a11y,
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"),
        reason="the test process reaches the server's channel layer only through Redis",
    ),
]


def _open(browser, live_stack, user, path):
    context = browser.new_context(base_url=live_stack.url)
    context.add_cookies(
        [{"name": "sessionid", "value": session_cookie(user), "url": live_stack.url}]
    )
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.goto(path)
    expect(page.locator("body")).to_have_attribute("data-live", "open")
    return context, page


def _push(push, booking_id):
    from django.db import connection

    try:
        push(booking_id)
    finally:
        connection.close()


def test_pushes_for_elements_a_page_lacks_cause_no_console_errors(browser, live_stack):
    from notifications.live import push_booking_status_now

    world = seed_world()
    request = world.request
    contexts = []
    try:
        for user, path in (
            (world.coach_user, "/coach/requests/"),
            (world.coach_user, "/coach/dashboard/"),
            (world.bob, f"/bookings/{request.pk}/"),
            (world.bob, f"/bookings/{request.pk}/cancel/"),
        ):
            contexts.append(_open(browser, live_stack, user, path))
        from bookings.selectors import open_request_count

        before = open_request_count(world.coach)
        Booking.objects.filter(pk=request.pk).update(status=Booking.Status.DECLINED)
        # Its own thread: async_to_sync cannot run inside Playwright's event-loop thread.
        pusher = threading.Thread(target=_push, args=(push_booking_status_now, request.pk))
        pusher.start()
        pusher.join(timeout=20)
        dashboard = contexts[1][1]
        # The dashboard has the count: the same push lands there (one open request fewer).
        expect(dashboard.get_by_test_id("open-requests")).to_have_text(
            str(before - 1), timeout=10_000
        )
        for _, page in contexts:
            page.wait_for_timeout(500)
            oob = [e for e in page.errors if "oobErrorNoTarget" in e or "oob" in e.lower()]
            assert not oob, f"{page.url}: {oob}"
    finally:
        for context, _ in contexts:
            context.close()
