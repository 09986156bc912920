"""Billing details in the profile, invoice links beside paid bookings in My Bookings."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.factories import CoachFactory, UserFactory
from invoicing.models import BillingDetails, Document
from invoicing.services import credit_note_issue_for_refund, invoice_issue_for_payment
from invoicing.tests.factories import CompletedPaymentFactory, refund_transaction, session_paid

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)  # django-axes: Client.login() has no request to check


def test_a_client_enters_a_billing_address_and_vat_number_used_by_new_invoices(client, platform):
    user = UserFactory(first_name="Ada", last_name="King")
    login(client, user)
    profile = client.get(reverse("accounts:profile")).content.decode()
    assert reverse("invoicing:billing_details") in profile
    page = client.get(reverse("invoicing:billing_details")).content.decode()
    assert '<label for="id_address"' in page and "vat_registered" not in page  # coaches only
    response = client.post(
        reverse("invoicing:billing_details"),
        {
            "legal_name": "King Analytics Ltd",
            "address": "1 Loom St\nLondon",
            "vat_number": " GB 123  456 ",
        },
    )
    assert response.status_code == 302
    details = BillingDetails.objects.get(user=user)
    assert details.vat_number == "GB 123 456"
    invoice = invoice_issue_for_payment(payment_id=CompletedPaymentFactory(payer=user).pk)
    assert invoice.recipient_name == "King Analytics Ltd"
    assert invoice.recipient_address == "1 Loom St\nLondon"
    assert invoice.recipient_vat_number == "GB 123 456"
    # Later edits never change an issued invoice.
    client.post(
        reverse("invoicing:billing_details"), {"legal_name": "", "address": "", "vat_number": ""}
    )
    invoice.refresh_from_db()
    assert invoice.recipient_name == "King Analytics Ltd"


def test_a_coach_must_give_a_number_when_vat_registered(client):
    coach = CoachFactory()
    login(client, coach.user)
    response = client.post(
        reverse("invoicing:billing_details"),
        {"legal_name": "", "address": "Bern", "vat_number": "", "vat_registered": "on"},
    )
    assert response.status_code == 400
    assert "Give your VAT number" in response.content.decode()


def test_my_bookings_links_the_invoice_and_credit_note_beside_each_paid_booking(client, platform):
    user = UserFactory()
    booking, payment = session_paid(client=user)
    invoice = invoice_issue_for_payment(payment_id=payment.pk)
    webinar_payment = CompletedPaymentFactory(payer=user)
    webinar_invoice = invoice_issue_for_payment(payment_id=webinar_payment.pk)
    refund = refund_transaction(webinar_payment, Decimal("120.00"))
    credit = credit_note_issue_for_refund(
        payment_id=webinar_payment.pk, refund_transaction_id=refund.pk
    )
    login(client, user)
    html = client.get(reverse("core:my_bookings")).content.decode()
    session_item = html[html.index(f'id="my-session-{booking.pk}"') :]
    assert f"Invoice {invoice.number}" in session_item[: session_item.index("</li>")]
    for document in (webinar_invoice, credit):
        assert f"/payments/invoices/{document.number}.pdf?download=1" in html
    assert f"Credit note {credit.number}" in html
    assert Document.objects.filter(owner=user).count() == 3


def test_my_bookings_lists_documents_in_one_query_however_many(client, platform):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = UserFactory()
    login(client, user)
    CompletedPaymentFactory(payer=user)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("core:my_bookings"))
    for _ in range(3):
        invoice_issue_for_payment(payment_id=CompletedPaymentFactory(payer=user).pk)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("core:my_bookings"))
    invoicing_queries = [q for q in many.captured_queries if "invoicing_document" in q["sql"]]
    assert len(invoicing_queries) == 1
    assert len([q for q in one.captured_queries if "invoicing_document" in q["sql"]]) == 1
