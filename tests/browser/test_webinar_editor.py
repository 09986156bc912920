"""Issue 16 done-when: a coach creates, edits and publishes a webinar on the site (not the
admin) in a real browser, and a client books it."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import CoachFactory, UserFactory
from webinars.models import Registration, Webinar


def test_coach_creates_edits_and_publishes_a_webinar_and_a_client_books_it(page, live_stack, login):
    coach = CoachFactory(user__first_name="Cora")
    login(page, coach.user)
    page.goto("/coach/dashboard/")
    page.get_by_role("link", name="New webinar").click()

    start = timezone.localtime(timezone.now() + timedelta(days=9)).replace(
        hour=18, minute=0, second=0, microsecond=0
    )
    page.get_by_label("Title").fill("Feedback that lands")
    page.get_by_label("Description").fill("An evening on giving and taking feedback.")
    page.get_by_label("Starts").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Ends").fill((start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Price (VAT included)").fill("0")
    page.get_by_label("Capacity (seats)").fill("1")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_role("status").filter(has_text="saved as a draft")).to_be_visible()
    expect(page.get_by_test_id("webinar-status")).to_have_text("Draft (not visible)")

    page.get_by_label("Capacity (seats)").fill("12")  # the edit
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status").filter(has_text="Your changes are saved")).to_be_visible()
    expect(page.get_by_test_id("webinar-preview")).to_contain_text("0 of 12 seats taken")

    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_test_id("webinar-status")).to_have_text("Scheduled")
    webinar = Webinar.objects.get(coach=coach)
    assert (webinar.status, webinar.max_attendees) == (Webinar.Status.SCHEDULED, 12)

    page.context.clear_cookies()
    client = UserFactory(first_name="Ada")
    login(page, client)
    page.goto(f"/webinars/{webinar.pk}/")
    page.get_by_role("button", name="Book for free").click()
    expect(page.get_by_text("You're booked!").first).to_be_visible()
    assert Registration.objects.get(webinar=webinar, user=client).status == "confirmed"
