"""Who may see a document, the PDF link, the admin's refusal to edit, search and CSV export,
the model's immutability, a failing render, and the export command."""

import csv
import io
from decimal import Decimal

import pytest
from celery.exceptions import Retry
from django.core.management import call_command
from django.urls import reverse

from accounts.tests.factories import UserFactory
from invoicing.models import Document, DocumentLine, ImmutableDocumentError
from invoicing.pdf import document_pdf_bytes, document_pdf_render
from invoicing.services import invoice_issue_for_payment
from invoicing.tasks import documents_sweep
from invoicing.tests.factories import CompletedPaymentFactory, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(platform):
    payment = CompletedPaymentFactory(payer=UserFactory(first_name="Ada", last_name="King"))
    return invoice_issue_for_payment(payment_id=payment.pk)  # no on-commit: PDF not rendered


@pytest.fixture
def staff(client):
    return UserFactory(is_staff=True, is_superuser=True, role="staff")


def login(client, user):
    client.force_login(user)  # django-axes: Client.login() has no request to check


def test_the_owner_downloads_the_pdf_rendered_on_request_and_the_same_bytes_again(client, invoice):
    assert not invoice.pdf
    login(client, invoice.owner)
    url = reverse("invoicing:pdf", args=[invoice.number])
    first = client.get(url)
    assert first.status_code == 200
    assert first["Content-Type"] == "application/pdf"
    assert f'filename="{invoice.number}.pdf"' in first["Content-Disposition"]
    invoice.refresh_from_db()
    assert invoice.pdf and invoice.render_attempts == 1  # stored once
    second = client.get(url + "?download=1")
    assert second.content == first.content
    assert "attachment" in second["Content-Disposition"]
    invoice.refresh_from_db()
    assert invoice.render_attempts == 1
    assert invoice.number in pdf_text(first.content)


def test_another_user_gets_404_and_an_anonymous_visitor_the_login_page(client, invoice):
    url = reverse("invoicing:pdf", args=[invoice.number])
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("accounts:login"))
    login(client, UserFactory())
    assert client.get(url).status_code == 404
    assert client.get(reverse("invoicing:pdf", args=["INV-2026-999999"])).status_code == 404
    assert client.get("/payments/invoices/%3Cscript%3E.pdf").status_code == 404
    listing = client.get(reverse("invoicing:list"))
    assert invoice.number not in listing.content.decode()


def test_staff_see_every_document(client, invoice, staff):
    login(client, staff)
    assert client.get(reverse("invoicing:pdf", args=[invoice.number])).status_code == 200


def test_receipts_and_invoices_lists_the_users_documents_with_their_links(client, invoice):
    login(client, invoice.owner)
    page = client.get("/payments/invoices/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Receipts &amp; invoices" in html
    assert invoice.number in html
    assert f'href="/payments/invoices/{invoice.number}.pdf?download=1"' in html
    assert '<th scope="col">Number</th>' in html


def test_the_model_refuses_to_change_or_delete_an_issued_document(invoice):
    invoice.gross_total = Decimal("1.00")
    with pytest.raises(ImmutableDocumentError):
        invoice.save()
    with pytest.raises(ImmutableDocumentError):
        invoice.delete()
    with pytest.raises(ImmutableDocumentError):
        Document.objects.filter(pk=invoice.pk).update(recipient_name="Someone else")
    with pytest.raises(ImmutableDocumentError):
        Document.objects.all().delete()
    line = invoice.lines.get()
    line.gross = Decimal("0")
    with pytest.raises(ImmutableDocumentError):
        line.save()
    with pytest.raises(ImmutableDocumentError):
        DocumentLine.objects.filter(pk=line.pk).update(description="x")
    with pytest.raises(ImmutableDocumentError):
        line.delete()
    invoice.refresh_from_db()
    assert invoice.gross_total == Decimal("120.00")


def test_the_admin_refuses_to_edit_or_delete_a_document(client, invoice, staff):
    login(client, staff)
    change = reverse("admin:invoicing_document_change", args=[invoice.pk])
    page = client.get(change)
    assert page.status_code == 200  # viewable, read-only
    assert 'name="_save"' not in page.content.decode()
    posted = client.post(change, {"recipient_name": "Edited", "gross_total": "1.00"})
    assert posted.status_code == 403
    deleted = client.post(
        reverse("admin:invoicing_document_delete", args=[invoice.pk]), {"post": "yes"}
    )
    assert deleted.status_code == 403
    invoice.refresh_from_db()
    assert invoice.recipient_name == "Ada King"


def test_staff_search_documents_by_number_customer_and_date_and_export_csv(client, invoice, staff):
    other = invoice_issue_for_payment(payment_id=CompletedPaymentFactory().pk)
    login(client, staff)
    changelist = reverse("admin:invoicing_document_changelist")
    by_number = client.get(changelist, {"q": invoice.number}).content.decode()
    assert invoice.number in by_number and other.number not in by_number
    by_customer = client.get(changelist, {"q": invoice.owner.email}).content.decode()
    assert invoice.number in by_customer and other.number not in by_customer
    by_date = client.get(
        changelist,
        {
            "issued_at__year": invoice.issue_date.year,
            "issued_at__month": invoice.issue_date.month,
            "issued_at__day": invoice.issue_date.day,
        },
    )
    assert invoice.number in by_date.content.decode()
    elsewhere = client.get(changelist, {"issued_at__year": 2020}).content.decode()
    assert invoice.number not in elsewhere

    response = client.post(
        changelist,
        {"action": "export_csv", "_selected_action": [invoice.pk, other.pk]},
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["number"] for row in rows] == sorted([invoice.number, other.number])
    assert rows[0]["vat_rates"] == "8.1"


def test_a_coach_cannot_open_the_documents_admin(client, invoice):
    from accounts.tests.factories import CoachFactory

    coach = CoachFactory()
    login(client, coach.user)
    assert client.get(reverse("admin:invoicing_document_changelist")).status_code == 403


def test_a_failed_render_keeps_the_document_and_is_retried(invoice, settings, tmp_path):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = blocked  # a real storage failure: the folder cannot be created
    from invoicing.tasks import render_document_pdf

    with pytest.raises(Exception) as raised:  # noqa: B017
        render_document_pdf.delay(invoice.pk)
    assert isinstance(raised.value, Retry)  # Celery schedules the next attempt (backoff)
    invoice.refresh_from_db()
    assert invoice.number.startswith("INV-") and not invoice.pdf
    assert invoice.render_attempts == 1
    assert "Error" in invoice.render_error

    settings.MEDIA_ROOT = tmp_path / "media"  # storage back: the sweep renders it
    Document.objects.filter(pk=invoice.pk)  # (the document still exists, number kept)
    from django.utils import timezone

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            timezone, "now", lambda: invoice.issued_at + __import__("datetime").timedelta(minutes=5)
        )
        counts = documents_sweep()
    assert counts["render"] == 1
    invoice.refresh_from_db()
    assert invoice.pdf and invoice.render_error == ""
    assert document_pdf_render(document_id=invoice.pk).pdf == invoice.pdf


def test_export_documents_writes_the_period_as_csv(invoice, tmp_path):
    day = invoice.issue_date.isoformat()
    out = io.StringIO()
    call_command("export_documents", "--from", day, "--to", day, stdout=out)
    [row] = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["number"] == invoice.number
    assert row["gross_total"] == "120.00" and row["vat_total"] == "8.99"
    assert row["issuer_vat_number"] == "CHE-123.456.789 MWST"
    target = tmp_path / "period.csv"
    call_command(
        "export_documents", "--from", "2020-01-01", "--to", "2020-12-31", "--output", str(target)
    )
    assert target.read_text().splitlines() == [
        ",".join(__import__("invoicing.export").export.COLUMNS)
    ]


def test_export_documents_refuses_bad_dates():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("export_documents", "--from", "yesterday", "--to", "2026-01-01")
    with pytest.raises(CommandError):
        call_command("export_documents", "--from", "2026-02-01", "--to", "2026-01-01")


def test_the_pdf_is_rendered_once_even_if_asked_twice(invoice):
    document_pdf_render(document_id=invoice.pk)
    first = document_pdf_bytes(Document.objects.get(pk=invoice.pk))
    document_pdf_render(document_id=invoice.pk)
    assert document_pdf_bytes(Document.objects.get(pk=invoice.pk)) == first
    assert Document.objects.get(pk=invoice.pk).render_attempts == 1
