"""Issue 15 #8 in a real browser: a logged-out visitor in New York sees times in their zone
(detected once by static/js/timezone.js, kept in the `tz` cookie), and "change" picks another."""

from playwright.sync_api import expect


def test_visitor_zone_is_detected_once_and_can_be_changed(browser, live_stack):
    context = browser.new_context(base_url=live_stack.url, timezone_id="America/New_York")
    try:
        page = context.new_page()
        page.goto("/")
        expect(page.locator("#current-tz")).to_have_text("Times shown in America/New_York")
        cookies = {c["name"]: c["value"] for c in context.cookies()}
        assert cookies["tz"] == "America/New_York"

        page.get_by_role("link", name="change time zone").click()
        page.get_by_label("Time zone").select_option("Asia/Tokyo")
        page.get_by_role("button", name="Show times in this zone").click()
        expect(page.locator("#current-tz")).to_have_text("Times shown in Asia/Tokyo")
        page.reload()  # the picked zone is not overwritten by the browser's
        expect(page.locator("#current-tz")).to_have_text("Times shown in Asia/Tokyo")
    finally:
        context.close()
