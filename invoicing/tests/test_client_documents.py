"""B2C invoices for completed payments and credit notes for refunds, issued by the payments
core's after-commit hooks through Celery (eager in this layer), with their PDFs' text."""

from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from accounts.tests.factories import CoachFactory, UserFactory
from invoicing.dates import platform_date
from invoicing.models import BillingDetails, Document, DocumentKind
from invoicing.pdf import document_pdf_bytes
from invoicing.services import credit_note_issue_for_refund, invoice_issue_for_payment
from invoicing.tests.factories import (
    CompletedPaymentFactory,
    pdf_text,
    refund_transaction,
    session_paid,
)
from payments.models import Payment
from webinars.tests.factories import WebinarFactory

pytestmark = pytest.mark.django_db

YEAR = timezone.now().year


@pytest.mark.parametrize(
    "coach_name",
    # "Clifford Johnson" wraps the service cell so that pdftotext's default reading order
    # put the supply date in the middle of it (a CI failure with a Faker name).
    [
        ("Ada", "Byron"),
        ("Clifford", "Johnson"),
        ("Maximiliane Augustine", "von Hohenberg zu Schwarzenfeld"),
    ],
    ids=["short-name", "name-that-wraps-mid-cell", "long-name"],
)
def test_a_paid_session_gets_an_invoice_with_every_required_field_in_its_pdf(
    platform, django_capture_on_commit_callbacks, coach_name
):
    first, last = coach_name
    coach = CoachFactory(user__first_name=first, user__last_name=last)
    client = UserFactory(first_name="Grace", last_name="Hopper", email="grace@example.com")
    BillingDetails.objects.create(
        user=client,
        legal_name="Hopper Consulting GmbH",
        address="Seestrasse 5\n8002 Zürich",
        vat_number="CHE-987.654.321 MWST",
    )
    booking, payment = session_paid(
        client=client,
        coach=coach,
        amount=Decimal("150.00"),
        capture=django_capture_on_commit_callbacks,
    )

    [invoice] = Document.objects.filter(payment=payment)
    assert invoice.kind == DocumentKind.INVOICE
    assert invoice.number == f"INV-{YEAR}-000001"
    assert (invoice.gross_total, invoice.vat_total, invoice.net_total) == (
        Decimal("150.00"),
        Decimal("11.24"),
        Decimal("138.76"),
    )
    [line] = invoice.lines.all()
    assert line.date_of_supply == platform_date(booking.start)
    assert invoice.pdf, "rendered after commit by the Celery task"

    text = pdf_text(document_pdf_bytes(invoice))
    for expected in (
        f"Invoice INV-{YEAR}-000001",
        "Coaching Platform AG",
        "Bahnhofstrasse 1",
        "VAT-registered: CHE-123.456.789 MWST",
        "Hopper Consulting GmbH",
        "Seestrasse 5",
        "VAT number: CHE-987.654.321 MWST",
        f"1:1 coaching session: 1:1 Coaching, 60 min (coach {first} {last})",
        "incl. 8.1% MWST",
        "8.1%",
        "CHF 11.24",
        "CHF 138.76",
        "CHF 150.00",
        invoice.issue_date.strftime("%d.%m.%Y"),
        line.date_of_supply.strftime("%d.%m.%Y"),
    ):
        assert expected in text, expected


def test_the_invoice_is_emailed_to_the_client_with_its_pdf_once(
    platform, django_capture_on_commit_callbacks
):
    client = UserFactory(email="ada@example.com")
    _booking, payment = session_paid(client=client, capture=django_capture_on_commit_callbacks)
    invoice = Document.objects.get(payment=payment)

    [email] = [m for m in mail.outbox if m.subject == f"Your invoice {invoice.number}"]
    assert email.to == ["ada@example.com"]
    [(filename, content, mimetype)] = email.attachments
    assert (filename, mimetype) == (f"{invoice.number}.pdf", "application/pdf")
    assert content == document_pdf_bytes(invoice)
    assert "/payments/invoices/" in email.body
    invoice.refresh_from_db()
    assert invoice.emailed_at is not None

    from invoicing.delivery import document_email_send

    assert document_email_send(document_id=invoice.pk) is False  # never twice
    assert sum(m.subject == f"Your invoice {invoice.number}" for m in mail.outbox) == 1


def test_issuing_twice_for_the_same_payment_returns_the_same_invoice(platform):
    payment = CompletedPaymentFactory()
    first = invoice_issue_for_payment(payment_id=payment.pk)
    second = invoice_issue_for_payment(payment_id=payment.pk)
    assert first.pk == second.pk
    assert Document.objects.count() == 1


def test_a_webinar_invoice_names_the_webinar_and_its_date(platform):
    webinar = WebinarFactory(title="Feedback that lands")
    payment = CompletedPaymentFactory(webinar=webinar, coach=webinar.coach)
    invoice = invoice_issue_for_payment(payment_id=payment.pk)
    [line] = invoice.lines.all()
    assert line.description.startswith("Webinar seat: Feedback that lands")
    assert line.date_of_supply is not None
    text = pdf_text(document_pdf_bytes(invoice))
    assert "Webinar seat: Feedback that lands" in text
    assert "CHF 8.99" in text and "CHF 111.01" in text and "CHF 120.00" in text


def test_an_unpaid_or_mismatched_payment_gets_no_invoice(platform):
    pending = CompletedPaymentFactory(status=Payment.Status.PENDING, completed_at=None)
    mismatched = CompletedPaymentFactory(error_code="amount_mismatch")
    assert invoice_issue_for_payment(payment_id=pending.pk) is None
    assert invoice_issue_for_payment(payment_id=mismatched.pk) is None
    assert not Document.objects.exists()


def test_a_refund_gets_a_credit_note_that_refers_to_the_invoice_with_negated_amounts(
    platform, django_capture_on_commit_callbacks
):
    _booking, payment = session_paid(capture=django_capture_on_commit_callbacks)
    invoice = Document.objects.get(payment=payment, kind=DocumentKind.INVOICE)

    with django_capture_on_commit_callbacks(execute=True):
        refund_transaction(payment, Decimal("150.00"))

    credit = Document.objects.get(payment=payment, kind=DocumentKind.CREDIT_NOTE)
    assert credit.number == f"CRN-{YEAR}-000001"
    assert credit.refers_to == invoice
    assert (credit.gross_total, credit.vat_total, credit.net_total) == (
        Decimal("-150.00"),
        Decimal("-11.24"),
        Decimal("-138.76"),
    )
    text = pdf_text(document_pdf_bytes(credit))
    assert f"Credit note CRN-{YEAR}-000001" in text
    assert f"Refers to invoice {invoice.number}" in text
    assert "CHF -150.00" in text and "CHF -11.24" in text
    assert "incl. 8.1% MWST" in text
    assert any(
        m.subject == f"Credit note {credit.number} for invoice {invoice.number}"
        for m in mail.outbox
    )


def test_a_partial_refund_credits_only_the_refunded_part_with_its_vat(platform):
    payment = CompletedPaymentFactory(amount_total=Decimal("120.00"))
    invoice = invoice_issue_for_payment(payment_id=payment.pk)
    refund = refund_transaction(payment, Decimal("60.00"))
    credit = credit_note_issue_for_refund(payment_id=payment.pk, refund_transaction_id=refund.pk)
    assert credit.refers_to == invoice
    assert (credit.gross_total, credit.vat_total) == (Decimal("-60.00"), Decimal("-4.50"))
    [line] = credit.lines.all()
    assert line.net + line.vat == line.gross


def test_a_refund_before_the_invoice_task_ran_issues_the_invoice_first(platform):
    payment = CompletedPaymentFactory()
    refund = refund_transaction(payment, Decimal("120.00"))
    credit = credit_note_issue_for_refund(payment_id=payment.pk, refund_transaction_id=refund.pk)
    invoice = Document.objects.get(payment=payment, kind=DocumentKind.INVOICE)
    assert credit.refers_to == invoice


def test_a_refund_of_a_payment_from_before_invoicing_gets_a_credit_note_that_says_so(platform):
    long_ago = timezone.now().replace(year=2020)
    payment = CompletedPaymentFactory(completed_at=long_ago)
    refund = refund_transaction(payment, Decimal("120.00"))

    credit = credit_note_issue_for_refund(payment_id=payment.pk, refund_transaction_id=refund.pk)

    assert credit.refers_to is None
    assert not Document.objects.filter(kind=DocumentKind.INVOICE).exists()
    assert credit.gross_total == Decimal("-120.00")
    text = pdf_text(document_pdf_bytes(credit))
    assert "No invoice was issued for the original payment" in text
    assert "made before invoicing started" in text


def test_each_refund_of_one_payment_gets_its_own_credit_note_once(platform):
    payment = CompletedPaymentFactory(amount_total=Decimal("120.00"))
    invoice_issue_for_payment(payment_id=payment.pk)
    first = refund_transaction(payment, Decimal("20.00"), "re_one")
    second = refund_transaction(payment, Decimal("30.00"), "re_two")
    a = credit_note_issue_for_refund(payment_id=payment.pk, refund_transaction_id=first.pk)
    again = credit_note_issue_for_refund(payment_id=payment.pk, refund_transaction_id=first.pk)
    b = credit_note_issue_for_refund(payment_id=payment.pk, refund_transaction_id=second.pk)
    assert a.pk == again.pk
    assert [a.number, b.number] == [f"CRN-{YEAR}-000001", f"CRN-{YEAR}-000002"]
