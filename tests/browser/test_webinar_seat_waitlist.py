"""Issue 15 #3 and #4 in a real browser against the live stack (daphne, localstripe, worker):
a full webinar offers "Join the waitlist"; the paid attendee cancels their seat from My
Bookings (the refund shown before confirming, made at localstripe); the seat is offered to the
person waiting, whose open page changes by itself; they pay for it as usual and are booked."""

from playwright.sync_api import expect

from accounts.tests.factories import CoachFactory, UserFactory
from payments.models import Payment
from tests.browser.test_webinar_booking import fill_card
from tests.browser.test_webinar_cancel import LIVE_TIMEOUT, paid_attendee, wait_until
from webinars.models import Registration, WaitlistEntry
from webinars.tests.factories import WebinarFactory


def test_seat_cancelled_with_refund_is_offered_live_to_the_waitlist_and_paid_for(
    page, live_stack, login
):
    coach = CoachFactory(user__first_name="Jane", user__last_name="Coach")
    webinar = WebinarFactory(coach=coach, title="Negotiation basics", max_attendees=1)
    attendee = paid_attendee(webinar)  # Ada, CHF 120.00, the only seat
    waiting = UserFactory(first_name="Bob", last_name="Waiting")
    live_stack.clear_emails()

    # Bob finds the webinar full and joins the waitlist (keyboard: Enter on the button).
    login(page, waiting)
    page.goto(f"/webinars/{webinar.pk}/")
    panel = page.locator(f"#webinar-{webinar.pk}-panel")
    expect(page.locator(f"#webinar-{webinar.pk}-spots")).to_contain_text("Webinar full")
    join = panel.get_by_role("button", name="Join the waitlist")
    join.focus()
    page.keyboard.press("Enter")
    expect(panel).to_contain_text("You're number 1 on the waitlist.")
    # Focus stayed in the swapped panel (the a11y layer), not lost to the page.
    assert page.evaluate(
        f"document.getElementById('webinar-{webinar.pk}-panel').contains(document.activeElement)"
    )
    expect(page.locator("body")).to_have_attribute("data-live", "open")
    assert WaitlistEntry.objects.get(user=waiting).status == WaitlistEntry.Status.WAITING

    # Ada cancels her seat from My Bookings in her own browser.
    ada_context = page.context.browser.new_context(base_url=live_stack.url)
    try:
        ada = ada_context.new_page()
        login(ada, attendee.user)
        ada.goto("/bookings/mine/")
        ada.locator(f"#my-registration-{attendee.pk}").get_by_role(
            "link", name="Cancel seat"
        ).click()
        dialog = ada.get_by_role("dialog")
        expect(dialog.get_by_test_id("seat-refund-preview")).to_contain_text(
            "You get back CHF 120.00 (100%)"
        )
        dialog.get_by_role("button", name="Cancel my seat and refund CHF 120.00").click()
        # Back in My Bookings, the seat is under "Past and cancelled".
        expect(ada.locator(".flash-success")).to_contain_text(
            "Your seat is cancelled. CHF 120.00 is refunded to your card."
        )
        expect(ada).to_have_url(f"{live_stack.url}/bookings/mine/")
        expect(ada.locator(f"#my-registration-{attendee.pk}")).to_contain_text("You cancelled")
        ada.goto(f"/webinars/{webinar.pk}/")
        expect(ada.get_by_test_id("seat-cancelled")).to_contain_text("CHF 120.00 is refunded")
    finally:
        ada_context.close()
    wait_until(lambda: Payment.objects.get(pk=attendee.payment_id).status == "refunded")
    assert Registration.objects.get(pk=attendee.pk).status == Registration.Status.CANCELLED

    # Bob's open page turned into the offer by itself; the offer also came by email.
    expect(panel.locator("[data-waitlist-offer]")).to_contain_text(
        "A seat freed up and it is yours", timeout=LIVE_TIMEOUT
    )
    mail = live_stack.wait_for_email(to=waiting.email, subject_contains="A seat is free for you")
    assert "Negotiation basics" in live_stack.email_text(mail)

    panel.get_by_role("button", name="Continue to payment").click()
    expect(panel.locator(".pay-amount")).to_contain_text("CHF 120.00")
    fill_card(page, "4242424242424242")
    panel.get_by_role("button", name="Save card").click()
    expect(panel.get_by_role("radio", name="Visa •••• 4242")).to_be_checked()
    panel.get_by_role("button", name="Pay CHF 120.00").click()
    expect(panel).to_contain_text("You're booked!", timeout=20_000)
    offer = WaitlistEntry.objects.get(user=waiting)
    assert offer.status == WaitlistEntry.Status.BOOKED
    assert offer.registration.status == Registration.Status.CONFIRMED
    assert (
        Registration.objects.filter(webinar=webinar, status__in=["held", "confirmed"]).count() == 1
    )


def test_cancel_seat_page_works_at_320px_with_the_keyboard(page, live_stack, login):
    webinar = WebinarFactory(title="Hiring well", price=0)
    from webinars.tests.factories import RegistrationFactory

    registration = RegistrationFactory(webinar=webinar, amount=0)
    page.set_viewport_size({"width": 320, "height": 640})
    login(page, registration.user)
    page.goto(f"/webinars/{webinar.pk}/cancel-seat/")
    expect(page.get_by_test_id("seat-refund-preview")).to_contain_text("No refund applies.")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320
    button = page.get_by_role("button", name="Cancel my seat")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".flash-success")).to_contain_text(
        "Your seat is cancelled. No refund applies."
    )
    assert Registration.objects.get(pk=registration.pk).status == Registration.Status.CANCELLED
