"""Refund requests in a real browser: a client asks for part of a webinar seat back from My
Bookings, the coach approves less than asked in their refund inbox, and the client sees the
money back and a credit note; another request is declined by the coach, escalated by the
client and resolved by staff in the admin with the Goodwill policy (coach's payout untouched)."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import CoachFactory, UserFactory
from invoicing.models import Document
from payments.models import Payment, PayoutItem, RefundRequest
from tests.browser.test_invoices import wait_until
from tests.browser.test_webinar_booking import fill_card
from webinars.models import Registration, WebinarSlot
from webinars.tests.factories import WebinarFactory


def _paid_seat_of_a_past_webinar(page, login, coach, client):
    """Ada books and pays a CHF 120 seat in the browser; the webinar then took place."""
    webinar = WebinarFactory(
        coach=coach, title="Leading remote teams", price=Decimal("120.00"), max_attendees=10
    )
    login(page, client)
    page.goto(f"/webinars/{webinar.pk}/")
    page.get_by_role("button", name="Book webinar").click()
    fill_card(page, "4242424242424242")
    page.get_by_role("button", name="Save card").click()
    expect(page.get_by_role("radio", name="Visa •••• 4242")).to_be_checked()
    page.get_by_role("button", name="Pay CHF 120.00").click()
    expect(page.get_by_text("You're booked!")).to_be_visible(timeout=20_000)
    registration = Registration.objects.get(webinar=webinar, user=client)
    start = timezone.now() - dt.timedelta(days=1)
    WebinarSlot.objects.filter(webinar=webinar).update(
        start=start, end=start + dt.timedelta(hours=2)
    )
    return registration


def test_declined_request_escalated_and_resolved_by_staff_with_goodwill_leaves_the_coach_paid(
    page, live_stack, login
):
    coach = CoachFactory(user__first_name="Jane", user__last_name="Coach")
    client = UserFactory(first_name="Ada", last_name="Lovelace")
    staff = UserFactory(first_name="Sam", last_name="Staff", is_staff=True, is_superuser=True)
    registration = _paid_seat_of_a_past_webinar(page, login, coach, client)

    page.goto("/bookings/mine/")
    page.locator(f"#my-registration-{registration.pk}").get_by_role(
        "link", name="Ask for a refund"
    ).click()
    page.get_by_label("Amount (CHF, at most 120.00)").fill("120.00")
    page.get_by_label("Reason").select_option("quality")
    page.get_by_label("Message to the coach").fill("Nothing new for me in it.")
    page.get_by_role("button", name="Send the request").click()
    request = RefundRequest.objects.get(payment=registration.payment_id)

    coach_context = page.context.browser.new_context(base_url=live_stack.url)
    try:
        coach_page = coach_context.new_page()
        login(coach_page, coach.user)
        coach_page.goto(request.get_absolute_url())
        coach_page.get_by_label("Why you decline").fill("The programme was published in advance.")
        coach_page.get_by_role("button", name="Decline").click()
        expect(coach_page.locator("[data-refund-request-status]")).to_have_text(
            "Declined by the coach"
        )
    finally:
        coach_context.close()

    page.goto(request.get_absolute_url())
    expect(page.get_by_text("The programme was published in advance.", exact=True)).to_be_visible()
    page.get_by_role("button", name="Escalate to staff").click()
    expect(page.locator("[data-refund-request-status]")).to_have_text("Escalated to staff")

    staff_context = page.context.browser.new_context(base_url=live_stack.url)
    try:
        staff_page = staff_context.new_page()
        login(staff_page, staff)
        staff_page.goto(f"/admin/payments/refundrequest/{request.pk}/change/")
        staff_page.get_by_role("link", name="Decide…").click()
        staff_page.get_by_label("Refund amount (0 = no refund)").fill("15.00")  # fee: 16.65
        staff_page.get_by_label("Who bears the cost").select_option("goodwill")
        staff_page.get_by_label("Note (shown to both parties; final)").fill(
            "A goodwill gesture from the platform."
        )
        staff_page.get_by_role("button", name="Decide (final)").click()
        expect(staff_page.get_by_text("Decision recorded; both parties were told.")).to_be_visible()
    finally:
        staff_context.close()

    wait_until(
        lambda: Payment.objects.get(pk=registration.payment_id).amount_refunded == Decimal("15.00")
    )
    page.goto(request.get_absolute_url())
    expect(page.locator("[data-refund-request-status]")).to_have_text("Resolved by staff")
    expect(page.get_by_text("A goodwill gesture from the platform.").first).to_be_visible()
    payment = Payment.objects.get(pk=registration.payment_id)
    item = PayoutItem.objects.get(payment=payment)  # the refund told payouts about itself
    assert (item.gross_share, item.refund_deduction) == (payment.coach_share, Decimal("0"))


def test_client_partial_refund_approved_by_the_coach_shows_a_credit_note(page, live_stack, login):
    coach = CoachFactory(user__first_name="Jane", user__last_name="Coach")
    webinar = WebinarFactory(
        coach=coach, title="Leading remote teams", price=Decimal("120.00"), max_attendees=10
    )
    client = UserFactory(first_name="Ada", last_name="Lovelace")
    login(page, client)
    page.goto(f"/webinars/{webinar.pk}/")
    page.get_by_role("button", name="Book webinar").click()
    fill_card(page, "4242424242424242")
    page.get_by_role("button", name="Save card").click()
    expect(page.get_by_role("radio", name="Visa •••• 4242")).to_be_checked()
    page.get_by_role("button", name="Pay CHF 120.00").click()
    expect(page.get_by_text("You're booked!")).to_be_visible(timeout=20_000)
    registration = Registration.objects.get(webinar=webinar, user=client)
    wait_until(lambda: Document.objects.filter(payment=registration.payment_id).exists())
    invoice = Document.objects.get(payment=registration.payment_id)

    # The webinar took place yesterday.
    start = timezone.now() - dt.timedelta(days=1)
    WebinarSlot.objects.filter(webinar=webinar).update(
        start=start, end=start + dt.timedelta(hours=2)
    )

    page.goto("/bookings/mine/")
    row = page.locator(f"#my-registration-{registration.pk}")
    row.get_by_role("link", name="Ask for a refund").click()
    page.get_by_label("Amount (CHF, at most 120.00)").fill("50.00")
    page.get_by_label("Reason").select_option("technical")
    page.get_by_label("Message to the coach").fill("The sound failed for the second hour.")
    page.get_by_role("button", name="Send the request").click()
    expect(page.locator("[data-refund-request-status]")).to_have_text("Open (coach to answer)")
    request = RefundRequest.objects.get(payment=registration.payment_id)

    coach_context = page.context.browser.new_context(base_url=live_stack.url)
    try:
        coach_page = coach_context.new_page()
        login(coach_page, coach.user)
        coach_page.goto("/coach/refunds/")
        coach_page.get_by_role("link", name="Leading remote teams: CHF 50.00").click()
        expect(coach_page.get_by_text("The sound failed for the second hour.")).to_be_visible()
        coach_page.get_by_label("Amount to refund (CHF; less than asked = partial)").fill("30.00")
        coach_page.get_by_role("button", name="Approve").click()
        expect(coach_page.locator("[data-refund-request-status]")).to_have_text(
            "Partially approved"
        )
    finally:
        coach_context.close()

    wait_until(
        lambda: Payment.objects.get(pk=registration.payment_id).amount_refunded == Decimal("30.00")
    )
    wait_until(lambda: Document.objects.filter(refers_to=invoice).exists())
    credit = Document.objects.get(refers_to=invoice)
    page.goto(request.get_absolute_url())
    expect(page.get_by_text("Refunded CHF 30.00 to the card.")).to_be_visible()
    page.goto("/bookings/mine/")
    expect(page.locator(f"#my-registration-{registration.pk}")).to_contain_text(
        f"Credit note {credit.number}"
    )
    page.goto("/payments/invoices/")
    expect(page.get_by_role("row", name=credit.number)).to_contain_text("CHF -30.00")
