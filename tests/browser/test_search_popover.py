"""Issue 18 #1 in a real browser, keyboard only: type in the header search box, the htmx
popover opens (combobox expanded), ArrowDown activates an option (aria-activedescendant),
Enter opens it, Escape closes the popover."""

from playwright.sync_api import expect

from accounts.tests.factories import CoachFactory
from webinars.tests.factories import WebinarFactory


def test_keyboard_search_opens_the_coach_profile(page, live_stack):
    coach = CoachFactory(user__first_name="Nora", user__last_name="Blum", headline="Mediation")
    WebinarFactory(coach=coach, title="Mediation at work")
    page.goto(live_stack.url + "/")

    box = page.get_by_role("combobox", name="Search coaches, webinars and sessions")
    box.focus()
    box.press_sequentially("mediation")
    listbox = page.locator("#search-popover [role=listbox]")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(listbox.get_by_role("option")).to_have_count(3)  # coach, webinar, all results

    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")

    box.press("ArrowDown")  # reopens on the first option: the coach
    expect(box).to_have_attribute("aria-activedescendant", f"qs-coach-{coach.pk}")
    expect(page.locator(f"#qs-coach-{coach.pk}")).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(page).to_have_url(f"{live_stack.url}/coaches/{coach.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nora Blum")


def test_enter_without_an_active_option_opens_the_results_page(page, live_stack):
    WebinarFactory(title="Mediation at work")
    page.goto(live_stack.url + "/")
    box = page.get_by_role("combobox", name="Search coaches, webinars and sessions")
    box.press_sequentially("mediation")
    expect(page.locator("#search-popover [role=listbox]")).to_be_visible()
    box.press("Enter")
    expect(page).to_have_url(f"{live_stack.url}/search/?q=mediation")
    expect(page.get_by_role("link", name="Mediation at work")).to_be_visible()
