"""A coach cancels a webinar in the browser: the confirmation step says who is refunded and how
much, the attendee's open page changes by itself, the money goes back at (local) Stripe and the
attendee gets the cancellation email with its calendar file."""

import time

from playwright.sync_api import expect

from accounts.tests.factories import CoachFactory, UserFactory
from payments.models import Payment
from payments.services import payment_confirm
from payments.tests.stripe_helpers import saved_card
from webinars.models import Registration, Webinar
from webinars.services import webinar_register
from webinars.tests.factories import WebinarFactory

LIVE_TIMEOUT = 20_000  # ms


def wait_until(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.2)


def paid_attendee(webinar) -> Registration:
    """Book and pay as the browser would (services against the stack's localstripe); the
    signed webhook goes from localstripe to the live server, which confirms the seat."""
    user = UserFactory(first_name="Ada", last_name="Attendee")
    result = webinar_register(webinar_id=webinar.pk, user=user)
    payment_confirm(
        user=user,
        payment_intent_id=result.payment.stripe_payment_intent_id,
        payment_method_id=saved_card(user),
    )
    registration = result.registration
    wait_until(
        lambda: Registration.objects.get(pk=registration.pk).status == Registration.Status.CONFIRMED
    )
    return registration


def test_coach_cancels_with_a_reason_attendee_sees_it_live_and_is_refunded(page, live_stack, login):
    coach = CoachFactory(user__first_name="Jane", user__last_name="Coach")
    webinar = WebinarFactory(coach=coach, title="Leading remote teams", max_attendees=10)
    registration = paid_attendee(webinar)
    live_stack.clear_emails()

    # The attendee has the webinar open in another browser.
    attendee_context = page.context.browser.new_context(base_url=live_stack.url)
    try:
        attendee_page = attendee_context.new_page()
        login(attendee_page, registration.user)
        attendee_page.goto(f"/webinars/{webinar.pk}/")
        expect(attendee_page.get_by_text("You're booked!")).to_be_visible()
        expect(attendee_page.locator("body")).to_have_attribute("data-live", "open")

        # The coach cancels from the webinar's page, through the confirmation step.
        login(page, coach.user)
        page.goto(f"/webinars/{webinar.pk}/")
        page.get_by_role("link", name="Cancel webinar").click()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_contain_text("1 paid attendee will be refunded CHF 120.00 in total")
        dialog.get_by_label("Reason (sent to the attendees)").fill("I am ill, sorry.")
        dialog.get_by_role("button", name="Cancel webinar and refund 1 attendee").click()

        expect(page.locator(".flash-success")).to_contain_text(
            "“Leading remote teams” is cancelled. 1 attendee is refunded CHF 120.00 in total."
        )
        row = page.locator("tr", has_text="Leading remote teams")
        expect(row).to_contain_text("Cancelled")
        expect(row.get_by_role("link", name="Cancel webinar")).to_have_count(0)

        # The attendee's page changed without a reload.
        expect(attendee_page.locator(f"#webinar-{webinar.pk}-spots")).to_contain_text(
            "Webinar cancelled", timeout=LIVE_TIMEOUT
        )
        expect(attendee_page.locator(f"#webinar-{webinar.pk}-panel")).to_contain_text(
            "This webinar was cancelled. We refunded CHF 120.00 in full.", timeout=LIVE_TIMEOUT
        )
    finally:
        attendee_context.close()

    assert Webinar.objects.get(pk=webinar.pk).status == Webinar.Status.CANCELLED
    wait_until(lambda: Payment.objects.get().status == Payment.Status.REFUNDED)
    mail = live_stack.wait_for_email(to=registration.user.email, subject_contains="Cancelled")
    text = live_stack.email_text(mail)
    assert "Reason: I am ill, sorry." in text
    assert "Your payment of CHF 120.00 is refunded in full" in text
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == "cancel.ics"
    assert "METHOD:CANCEL" in attachment.get_content()
