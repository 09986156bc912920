"""Issue 18 #2 in a real browser, keyboard only: a client who attended a session reviews the
coach from the profile page (select, radio stars with the arrow keys, text, Enter), sees the
review and the average; the coach replies from the same page and the client is told."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import CoachFactory, UserFactory
from bookings.models import Booking
from bookings.tests.factories import BookingFactory
from notifications.models import Notification
from reviews.models import Review


def test_client_reviews_with_the_keyboard_and_the_coach_replies(page, live_stack, login):
    coach = CoachFactory(user__first_name="Jane", user__last_name="Coach")
    ada = UserFactory(first_name="Ada", last_name="Client")
    end = timezone.now() - dt.timedelta(days=1)
    BookingFactory(
        coach=coach,
        client=ada,
        title="Career check-in",
        start=end - dt.timedelta(hours=1),
        end=end,
        status=Booking.Status.COMPLETED,
    )

    login(page, ada)
    page.goto(f"/coaches/{coach.slug}/")
    expect(page.get_by_test_id("rating-summary")).to_have_text("No reviews yet.")
    attended = page.get_by_label("What you attended")
    expect(attended).to_have_value(f"booking:{Booking.objects.get().pk}")  # the only one
    attended.focus()
    page.keyboard.press("Tab")  # into the rating group: the first radio (5 stars)
    expect(page.get_by_role("radio", name="5 stars: excellent")).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")  # moves to and checks 4 stars
    expect(page.get_by_role("radio", name="4 stars: good")).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Your review")).to_be_focused()
    page.keyboard.type("Sharp questions, a clear plan.")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Publish review")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator("#messages")).to_contain_text("your review is on the coach")
    expect(page.get_by_test_id("rating-summary")).to_contain_text("4.0 out of 5, 1 review")
    review = Review.objects.get()
    item = page.locator(f"#review-{review.pk}")
    expect(item).to_contain_text("Sharp questions, a clear plan.")
    expect(item).to_contain_text("Rated 4 out of 5")
    expect(page.get_by_role("button", name="Publish review")).to_have_count(0)  # reviewed

    login(page, coach.user)
    page.goto(f"/coaches/{coach.slug}/")
    summary = page.get_by_text("Reply to Ada Client")
    summary.focus()
    page.keyboard.press("Enter")  # opens the <details>
    reply = page.get_by_label("Your public reply")
    expect(reply).to_be_visible()
    page.keyboard.press("Tab")
    expect(reply).to_be_focused()
    page.keyboard.type("Thank you, Ada. See you next month!")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Publish reply")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator("#messages")).to_contain_text("Your reply is published")
    expect(item).to_contain_text("Reply from Jane Coach")
    expect(item).to_contain_text("Thank you, Ada. See you next month!")
    expect(page.get_by_text("Reply to Ada Client")).to_have_count(0)  # once only
    assert Notification.objects.filter(recipient=ada, type="review_replied").exists()
    assert Notification.objects.filter(recipient=coach.user, type="review_received").exists()
