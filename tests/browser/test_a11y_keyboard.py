"""Keyboard only: every modal (webinar details, 1:1 booking, cancel a webinar) takes focus
when it opens, keeps Tab inside, closes with Escape and with ✕, and gives focus back to the
element that opened it; a webinar seat and a 1:1 session are booked and paid with the keyboard
alone (Tab, Enter, Space, arrow keys and typing; no clicks)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.a11y_support import seed_world, session_cookie

pytestmark = pytest.mark.a11y
LIVE_TIMEOUT = 20_000


def _sign_in(page, live_stack, user) -> None:
    page.context.add_cookies(
        [{"name": "sessionid", "value": session_cookie(user), "url": live_stack.url}]
    )


def _focused(page, locator) -> bool:
    return locator.evaluate("el => el === document.activeElement")


def tab_to(page, locator, *, limit: int = 60, backwards: bool = False) -> None:
    """Press Tab until `locator` has focus (fails after `limit` presses)."""
    locator.wait_for()
    for _ in range(limit):
        if _focused(page, locator):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"Tab never reached {locator}")


def _focus_in_dialog(page) -> bool:
    return page.evaluate(
        "() => { const d = document.querySelector('#modal-root dialog[open]');"
        " return !!d && d.contains(document.activeElement) && document.activeElement !== d; }"
    )


def _check_modal(page, opener, *, tabs: int = 25) -> None:
    """Open with Enter, Tab cycle inside, Escape closes, focus back; again with ✕."""
    tab_to(page, opener)
    page.keyboard.press("Enter")
    dialog = page.locator("#modal-root dialog[open]")
    expect(dialog).to_be_visible()
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    assert _focus_in_dialog(page), "focus did not move into the dialog"
    for _ in range(tabs):
        page.keyboard.press("Tab")
        assert _focus_in_dialog(page), "Tab left the dialog"
    for _ in range(5):
        page.keyboard.press("Shift+Tab")
        assert _focus_in_dialog(page), "Shift+Tab left the dialog"
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    assert _focused(page, opener), "focus did not return to the opener after Escape"

    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    close = dialog.get_by_role("button", name="Close").first
    tab_to(page, close)
    page.keyboard.press("Enter")
    expect(dialog).to_have_count(0)
    assert _focused(page, opener), "focus did not return to the opener after ✕"


def test_every_modal_works_with_the_keyboard(page, live_stack):
    world = seed_world()
    _sign_in(page, live_stack, world.ada)
    page.goto("/webinars/")
    _check_modal(page, page.get_by_role("link", name="Details of Leading remote teams"))

    page.goto(f"/coaches/{world.coach.pk}/calendar/?week={world.week.isoformat()}")
    _check_modal(page, page.get_by_test_id("free-slot").first)

    page.context.clear_cookies()
    _sign_in(page, live_stack, world.coach_user)
    page.goto(f"/webinars/{world.webinar.pk}/")
    _check_modal(page, page.get_by_role("link", name="Cancel webinar"), tabs=12)


def _type_card(page, scope) -> None:
    """localstripe's Card Element (plain inputs): reached with Tab, filled by typing."""
    tab_to(page, scope.locator("input[placeholder=number]"))
    page.keyboard.type("4242424242424242")
    for placeholder, value in (
        ("exp_month", "12"),
        ("exp_year", "31"),
        ("cvc", "123"),
        ("postal_code", "8000"),
    ):
        tab_to(page, scope.locator(f"input[placeholder={placeholder}]"), limit=3)
        page.keyboard.type(value)
    tab_to(page, scope.get_by_role("button", name="Save card"), limit=3)
    page.keyboard.press("Enter")
    expect(scope.get_by_role("radio", name=re.compile("4242"))).to_be_checked()


def test_keyboard_only_books_and_pays_a_webinar(page, live_stack):
    world = seed_world()
    _sign_in(page, live_stack, world.bob)
    page.goto("/webinars/")
    tab_to(page, page.get_by_role("link", name="Details of Leading remote teams"))
    page.keyboard.press("Enter")
    dialog = page.locator("#modal-root dialog[open]")
    expect(dialog).to_be_visible()
    tab_to(page, dialog.get_by_role("button", name="Book webinar"))
    page.keyboard.press("Enter")
    expect(dialog).to_contain_text("Your seat is held for")
    # The button that had focus is gone: focus is on the new content, not on <body>.
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    assert _focus_in_dialog(page), "focus fell out of the dialog after Book webinar"
    expect(dialog).to_contain_text("You have no saved cards yet")
    _type_card(page, dialog)
    tab_to(page, dialog.get_by_role("button", name=re.compile(r"^Pay CHF")))
    page.keyboard.press("Enter")
    expect(dialog.get_by_text("You're booked!")).to_be_visible(timeout=LIVE_TIMEOUT)


def test_keyboard_only_chooses_a_time_with_arrow_keys_and_pays_a_session(page, live_stack):
    world = seed_world()
    _sign_in(page, live_stack, world.bob)
    page.goto(f"/coaches/{world.coach.pk}/calendar/?week={world.week.isoformat()}")
    tab_to(page, page.get_by_test_id("free-slot").first)
    page.keyboard.press("Enter")
    dialog = page.locator("#modal-root dialog[open]")
    expect(dialog).to_be_visible()
    price = dialog.locator("#price")
    price.evaluate("el => { el.__kept = true; }")

    first = dialog.get_by_role("radio", name="09:00")
    tab_to(page, first)
    page.keyboard.press("Space")
    expect(dialog.get_by_test_id("price-total")).to_be_visible()
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    # The panel was redrawn; focus stayed on the chosen time, and arrows move on from there.
    assert _focused(page, dialog.get_by_role("radio", name="09:00"))
    with page.expect_response(lambda r: "/book/" in r.url):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    second = dialog.get_by_role("radio", name="09:15")
    expect(second).to_be_checked()
    assert _focused(page, second), "focus fell to <body> after the start time redraw"
    # The price live region is the same node, with new content (announced, not re-created).
    assert dialog.locator("#price").evaluate("el => el.__kept === true")

    tab_to(page, dialog.get_by_role("button", name="Book and pay"))
    page.keyboard.press("Enter")
    expect(dialog).to_contain_text("You have no saved cards yet", timeout=LIVE_TIMEOUT)
    _type_card(page, dialog)
    tab_to(page, dialog.get_by_role("button", name=re.compile(r"^Pay CHF")))
    page.keyboard.press("Enter")
    expect(dialog.get_by_text("You're booked!")).to_be_visible(timeout=LIVE_TIMEOUT)
