"""Issue 18 #3 in a real browser: a client reports a coach from the profile with the keyboard
only (the "Report" disclosure, htmx, the thank-you announced in a status region); a staff
member finds the report in the moderation queue and hides the profile, which then answers
404 to the client."""

from playwright.sync_api import expect

from accounts.tests.factories import CoachFactory, UserFactory
from moderation.models import Flag


def test_a_client_reports_a_coach_and_staff_hide_the_profile(page, live_stack, login):
    coach = CoachFactory(user__first_name="Rex", user__last_name="Shady", headline="Get rich")
    client = UserFactory(first_name="Cleo")
    staff = UserFactory(first_name="Sam", is_staff=True, role="staff")

    login(page, client)
    page.goto(f"/coaches/{coach.slug}/")
    summary = page.locator(".report-disclosure summary")
    expect(summary).to_have_text("Report this coach profile")
    summary.focus()
    page.keyboard.press("Enter")  # opens the disclosure
    reason = page.get_by_label("Why are you reporting this?")
    expect(reason).to_be_visible()
    page.keyboard.press("Tab")
    expect(reason).to_be_focused()
    reason.select_option("fraud")
    page.keyboard.press("Tab")
    note = page.get_by_label("What happened? (optional)")
    expect(note).to_be_focused()
    page.keyboard.type("Asks for payment outside the platform.")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Send report")).to_be_focused()
    page.keyboard.press("Enter")

    status = page.locator(f"#report-coach-{coach.pk}-status")
    expect(status).to_have_text(
        "Thank you. Your report was sent; our moderation team will review it."
    )
    expect(status).to_have_attribute("role", "status")
    expect(page.get_by_role("button", name="Send report")).to_have_count(0)
    flag = Flag.objects.get()
    assert (flag.reporter_id, flag.target_id, flag.reason) == (client.pk, coach.pk, "fraud")

    login(page, staff)
    page.goto("/admin/moderation/queue/")
    section = page.locator(f"[data-target='coach-{coach.pk}']")
    expect(section.get_by_role("heading")).to_have_text("Coach profile: Rex Shady")
    expect(section).to_contain_text("Fraud or scam 1")
    expect(section).to_contain_text("Asks for payment outside the platform.")
    section.get_by_label("Reason (told to the owner; required except to dismiss)").fill(
        "Payments outside the platform"
    )
    section.get_by_role("button", name="Hide the content").click()
    expect(page.get_by_text("No open reports. Nothing to review.")).to_be_visible()
    expect(page.locator(".messagelist")).to_contain_text("1 report(s) resolved")

    login(page, client)
    response = page.goto(f"/coaches/{coach.slug}/")
    assert response.status == 404
