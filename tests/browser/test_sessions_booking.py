"""1:1 sessions in the browser: a client opens a coach's calendar, picks a duration and a
time, applies a discount code and sees the price change, books and pays; another client sends
a request that the coach accepts in their inbox, and the client's open page and the coach's
dashboard change by themselves; the first client cancels and sees the refund."""

import re
from decimal import Decimal

from playwright.sync_api import expect

from accounts.tests.factories import CoachFactory, UserFactory
from bookings.models import Booking
from bookings.tests.factories import (
    AvailabilitySlotFactory,
    DiscountCodeFactory,
    SessionTypeFactory,
    at,
    future_weekday,
)
from invoicing.models import Document
from payments.models import Payment
from payments.tests.factories import PaymentFactory
from tests.browser.test_invoices import download, wait_until

LIVE_TIMEOUT = 20_000  # ms: webhook localstripe -> daphne, then the panel's next poll


def _add_card_and_pay(page, button: str) -> None:
    """The payment step with localstripe's Card Element stand-in. With no saved card the step
    opens "Add a card" by itself once the card list has loaded."""
    page.get_by_text("You have no saved cards yet").wait_for()
    number = page.get_by_placeholder("number")
    if not number.is_visible():
        page.get_by_text("Add a card").click()
    number.fill("4242424242424242")
    page.get_by_placeholder("exp_month").fill("12")
    page.get_by_placeholder("exp_year").fill("31")
    page.get_by_placeholder("cvc").fill("123")
    page.get_by_placeholder("postal_code").fill("8001")
    page.get_by_role("button", name="Save card").click()
    page.get_by_role("radio", name=re.compile("4242")).check()
    page.get_by_role("button", name=re.compile(button)).click()


def _choose(page, action) -> None:
    """Do something that re-renders the booking panel and wait until htmx has swapped it."""
    with page.expect_response(lambda response: "/book/" in response.url):
        action()
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def _open_day(page, coach, day, label):
    page.goto(f"/coaches/{coach.pk}/calendar/?week={day.isoformat()}")
    page.get_by_role("listitem", name=label).get_by_test_id("free-slot").first.click()
    expect(page.get_by_role("dialog")).to_be_visible()


def test_book_with_a_code_pay_accept_a_request_and_cancel_with_refund(page, live_stack, login):
    coach = CoachFactory(
        user__first_name="Jane", user__last_name="Coach", hourly_rate=Decimal("150.00")
    )
    SessionTypeFactory(coach=coach, name="1:1 Coaching")
    monday, tuesday = future_weekday(0, weeks_ahead=3), future_weekday(1, weeks_ahead=3)
    AvailabilitySlotFactory(
        coach=coach, start=at(monday, 9), end=at(monday, 17), instant_booking=True
    )
    AvailabilitySlotFactory(
        coach=coach, start=at(tuesday, 9), end=at(tuesday, 17), instant_booking=False
    )
    DiscountCodeFactory(coach=coach, code="WELCOME10")
    ada = UserFactory(first_name="Ada", last_name="Client")
    bob = UserFactory(first_name="Bob", last_name="Requester")

    # Ada books Monday 10:00 for 90 minutes with the code and pays.
    login(page, ada)
    _open_day(page, coach, monday, re.compile(monday.strftime("%A")))
    _choose(page, lambda: page.get_by_label("Duration").select_option("90"))
    _choose(page, lambda: page.get_by_role("radio", name="10:00").check())
    total = page.get_by_test_id("price-total")
    expect(total).to_have_text("CHF 225.00")
    page.get_by_label("Discount code").fill("WELCOME10")
    page.get_by_role("button", name="Apply").click()
    expect(total).to_have_text("CHF 202.50")
    expect(page.get_by_test_id("code-message")).to_contain_text("WELCOME10 applied")
    page.get_by_role("button", name="Book and pay").click()
    _add_card_and_pay(page, r"^Pay ")
    expect(page.get_by_text("You're booked!")).to_be_visible(timeout=LIVE_TIMEOUT)
    ada_booking = Booking.objects.get(client=ada)
    assert ada_booking.status == Booking.Status.CONFIRMED and ada_booking.amount_total == Decimal(
        "202.50"
    )

    # Her invoice for the session is under Receipts & invoices (issued after commit by Celery).
    wait_until(lambda: Document.objects.filter(payment=ada_booking.payment_id).exists())
    invoice = Document.objects.get(payment=ada_booking.payment_id)
    page.goto("/payments/invoices/")
    row = page.get_by_role("row", name=invoice.number)
    expect(row).to_contain_text("CHF 202.50")
    text = download(page, row.get_by_role("link", name=f"Download {invoice.number} PDF"))
    for expected in (f"Invoice {invoice.number}", "1:1 coaching session", "incl. 8.1% MWST"):
        assert expected in text, expected

    # Bob sends a request for Tuesday (his card is only authorized) and keeps the page open.
    bob_context = page.context.browser.new_context(base_url=live_stack.url)
    coach_context = page.context.browser.new_context(base_url=live_stack.url)
    try:
        bob_page = bob_context.new_page()
        login(bob_page, bob)
        _open_day(bob_page, coach, tuesday, re.compile(tuesday.strftime("%A")))
        _choose(bob_page, lambda: bob_page.get_by_role("radio", name="14:00").check())
        expect(bob_page.get_by_test_id("price-total")).to_have_text("CHF 150.00")
        bob_page.get_by_role("button", name="Send request").click()
        _add_card_and_pay(bob_page, r"^Pay ")
        expect(bob_page.get_by_role("heading", name="Request sent")).to_be_visible(
            timeout=LIVE_TIMEOUT
        )  # (the toast "Request sent: ..." arrives too)
        expect(bob_page.locator("body")).to_have_attribute("data-live", "open")
        bob_page.evaluate("window.__sameDocument = true")  # gone if the page reloads
        bob_booking = Booking.objects.get(client=bob)
        assert bob_booking.status == Booking.Status.REQUESTED
        assert bob_booking.payment.status == Payment.Status.PROCESSING  # authorized only

        # The coach has the dashboard open in one tab and accepts in the inbox in another.
        dashboard = coach_context.new_page()
        login(dashboard, coach.user)
        dashboard.goto("/coach/dashboard/")
        expect(dashboard.get_by_test_id("open-requests")).to_have_text("1")
        expect(dashboard.locator("body")).to_have_attribute("data-live", "open")
        inbox = coach_context.new_page()
        inbox.goto("/coach/requests/")
        request_card = inbox.get_by_test_id("request").filter(has_text="Bob Requester")
        request_card.get_by_role("button", name="Accept").click()
        expect(inbox.get_by_text("Accepted: Bob")).to_be_visible()
        expect(inbox.get_by_text("No open requests.")).to_be_visible()

        # Both open pages changed by themselves: Bob's panel, the coach's count.
        expect(bob_page.get_by_text("You're booked!")).to_be_visible(timeout=LIVE_TIMEOUT)
        assert bob_page.evaluate("window.__sameDocument") is True
        expect(dashboard.get_by_test_id("open-requests")).to_have_text("0", timeout=LIVE_TIMEOUT)
    finally:
        bob_context.close()
        coach_context.close()
    bob_booking.refresh_from_db()
    assert bob_booking.status == Booking.Status.CONFIRMED
    bob_booking.payment.refresh_from_db()
    assert bob_booking.payment.status == Payment.Status.COMPLETED

    # Ada cancels three weeks ahead: she sees the full refund before confirming.
    page.goto(f"/bookings/{ada_booking.pk}/")
    page.get_by_test_id("cancel-link").click()
    expect(page.get_by_test_id("refund-preview")).to_contain_text("CHF 202.50")
    page.get_by_role("button", name="Cancel the session").click()
    expect(page.get_by_text("CHF 202.50 will be refunded")).to_be_visible()
    expect(page.get_by_test_id("booking-status")).to_have_text("Cancelled by client")
    page.goto(f"/coaches/{coach.pk}/calendar/?week={monday.isoformat()}")
    expect(
        page.get_by_role("listitem", name=re.compile("Monday")).get_by_test_id("free-slot")
    ).to_contain_text("09:00–17:00")  # the cancelled time is back and merged with its neighbours
    ada_booking.refresh_from_db()
    assert ada_booking.payment.amount_refunded == Decimal("202.50")
    assert ada_booking.payment.status == Payment.Status.REFUNDED

    # The refund gets a credit note that refers to the session's invoice.
    wait_until(lambda: Document.objects.filter(refers_to=invoice).exists())
    credit = Document.objects.get(refers_to=invoice)
    page.goto("/payments/invoices/")
    expect(page.get_by_role("row", name=credit.number)).to_contain_text(
        f"refers to {invoice.number}"
    )


def test_the_confirming_panel_polls_when_websockets_cannot_connect(page, live_stack, login):
    """No live stream (a proxy that drops websocket upgrades) and a change that pushes nothing
    (a direct update): the confirming panel keeps asking and then shows it."""
    from bookings.tests.factories import BookingFactory

    client = UserFactory()
    coach = CoachFactory()
    payment = PaymentFactory(payer=client, coach=coach, stripe_payment_intent_id="pi_test_polling")
    day = future_weekday(0, weeks_ahead=3)
    booking = BookingFactory(
        coach=coach,
        client=client,
        start=at(day, 10),
        end=at(day, 11),
        status=Booking.Status.PAYMENT_PENDING,
        payment=payment,
    )
    page.route_web_socket(re.compile(r".*/ws/.*"), lambda ws: ws.close(code=1008))
    login(page, client)
    page.goto(f"/bookings/{booking.pk}/")
    expect(page.locator("body")).to_have_attribute("data-live", "closed")
    expect(page.get_by_text("Confirming your payment")).to_be_visible()
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CONFIRMED)
    expect(page.get_by_text("You're booked!")).to_be_visible(timeout=LIVE_TIMEOUT)
