"""A client pays for a webinar in the browser and downloads the invoice from Receipts &
invoices; the coach cancels the webinar and the client's credit note refers to the invoice.
The PDFs' text is read with poppler's pdftotext."""

import time
from decimal import Decimal
from pathlib import Path

from playwright.sync_api import expect

from accounts.tests.factories import CoachFactory, UserFactory
from invoicing.models import Document
from invoicing.tests.factories import pdf_text
from tests.browser.test_webinar_booking import fill_card
from webinars.models import Registration
from webinars.tests.factories import WebinarFactory


def wait_until(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.3)


def download(page, link) -> str:
    with page.expect_download() as info:
        link.click()
    return pdf_text(Path(info.value.path()).read_bytes())


def test_client_pays_downloads_the_invoice_and_gets_a_credit_note_after_cancellation(
    page, live_stack, login
):
    coach = CoachFactory(user__first_name="Jane", user__last_name="Coach")
    webinar = WebinarFactory(
        coach=coach, title="Leading remote teams", price=Decimal("120.00"), max_attendees=10
    )
    client = UserFactory(first_name="Ada", last_name="Lovelace")
    login(page, client)

    # Billing details first: they are printed on the invoice.
    page.goto("/payments/invoices/billing-details/")
    page.get_by_label("Billing address").fill("Seestrasse 5\n8002 Zürich")
    page.get_by_label("VAT number").fill("CHE-987.654.321 MWST")
    page.get_by_role("button", name="Save billing details").click()
    expect(page.locator("#messages")).to_contain_text("billing details are saved")

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

    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Receipts & invoices"
    ).click()
    expect(page.get_by_role("heading", name="Receipts & invoices")).to_be_visible()
    row = page.get_by_role("row", name=invoice.number)
    expect(row).to_contain_text("Invoice")
    expect(row).to_contain_text("CHF 120.00")
    text = download(page, row.get_by_role("link", name=f"Download {invoice.number} PDF"))
    for expected in (
        f"Invoice {invoice.number}",
        "VAT-registered: CHE-123.456.789 MWST",
        "Ada Lovelace",
        "Seestrasse 5",
        "CHE-987.654.321 MWST",
        "Webinar seat: Leading remote teams",
        "incl. 8.1% MWST",
        "CHF 8.99",
        "CHF 120.00",
    ):
        assert expected in text, expected
    mail = live_stack.wait_for_email(to=client.email, subject_contains=invoice.number)
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == f"{invoice.number}.pdf"

    # My Bookings links the same invoice beside the booking.
    page.goto("/bookings/mine/")
    expect(page.locator(f"#my-registration-{registration.pk}")).to_contain_text(
        f"Invoice {invoice.number}"
    )

    # The coach cancels the webinar; the refund gets a credit note referring to the invoice.
    coach_context = page.context.browser.new_context(base_url=live_stack.url)
    try:
        coach_page = coach_context.new_page()
        login(coach_page, coach.user)
        # Cancelling (destructive) is on the webinar's own page, not on every row of the list.
        coach_page.goto(f"/webinars/{webinar.pk}/")
        coach_page.get_by_role("link", name="Cancel webinar").click()
        dialog = coach_page.get_by_role("dialog")
        dialog.get_by_label("Reason (sent to the attendees)").fill("I am ill, sorry.")
        dialog.get_by_role("button", name="Cancel webinar and refund 1 attendee").click()
        expect(coach_page.locator(".flash-success")).to_contain_text("is cancelled")
    finally:
        coach_context.close()

    wait_until(lambda: Document.objects.filter(refers_to=invoice).exists())
    credit = Document.objects.get(refers_to=invoice)
    page.goto("/payments/invoices/")
    credit_row = page.get_by_role("row", name=credit.number)
    expect(credit_row).to_contain_text(f"refers to {invoice.number}")
    expect(credit_row).to_contain_text("CHF -120.00")
    text = download(page, credit_row.get_by_role("link", name=f"Download {credit.number} PDF"))
    assert f"Credit note {credit.number}" in text
    assert f"Refers to invoice {invoice.number}" in text
    assert "CHF -120.00" in text and "CHF -8.99" in text
