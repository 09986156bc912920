"""Self-billed invoices (coach -> platform): the agreement, VAT only for VAT-registered
coaches, "Self-billing / Gutschrift" on the PDF, contest within the period, staff resolve."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import CoachFactory, UserFactory
from invoicing.errors import ContestNotAllowed, SelfBillingAgreementMissing
from invoicing.models import BillingDetails, DocumentContest, DocumentKind, SelfBillingAgreement
from invoicing.pdf import document_pdf_bytes
from invoicing.services import (
    LineData,
    contest_resolve,
    self_billed_invoice_contest,
    self_billed_invoice_issue,
    self_billing_agreement_accept,
    self_billing_required,
)
from invoicing.tests.factories import pdf_text

pytestmark = pytest.mark.django_db
YEAR = timezone.now().year

LINES = [
    LineData(
        description="Coaching: 1:1 Coaching with Ada King",
        date_of_supply=date(YEAR, 3, 2),
        gross=Decimal("117.95"),
        vat_rate=Decimal("8.1"),
    ),
    LineData(
        description="Webinar: Feedback that lands (3 seats)",
        date_of_supply=date(YEAR, 3, 5),
        gross=Decimal("283.08"),
        vat_rate=Decimal("8.1"),
    ),
]


@pytest.fixture
def coach(platform):
    coach = CoachFactory(
        user=UserFactory(first_name="Chris", last_name="Coach"), self_billing=False
    )
    BillingDetails.objects.create(user=coach.user, address="Hauptgasse 3\n3011 Bern")
    return coach


def login(client, user):
    client.force_login(user)  # django-axes: Client.login() has no request to check


def test_no_self_billed_invoice_and_no_payout_without_the_agreement(coach):
    with pytest.raises(SelfBillingAgreementMissing):
        self_billing_required(coach=coach)
    with pytest.raises(SelfBillingAgreementMissing):
        self_billed_invoice_issue(coach=coach, lines=LINES, reference="payout-1")


def test_the_coach_accepts_the_agreement_once_on_a_form_with_date_and_version(client, coach):
    login(client, coach.user)
    page = client.get("/coach/payouts/self-billing/")
    assert page.status_code == 200
    assert 'action="/coach/payouts/self-billing/accept/"' in page.content.decode()
    refused = client.post("/coach/payouts/self-billing/accept/", {})
    assert refused.status_code == 400 and not SelfBillingAgreement.objects.exists()
    accepted = client.post("/coach/payouts/self-billing/accept/", {"accept": "on"})
    assert accepted.status_code == 302
    client.post("/coach/payouts/self-billing/accept/", {"accept": "on"})
    [agreement] = SelfBillingAgreement.objects.all()
    assert agreement.coach == coach and agreement.version == "2026-1"
    assert agreement.accepted_at.date() == timezone.now().date()
    assert "Accepted" in client.get("/coach/payouts/self-billing/").content.decode()
    self_billing_required(coach=coach)  # no longer raises


def test_the_agreement_page_is_for_coaches_only_and_needs_csrf(client, coach):
    login(client, UserFactory())
    assert client.get("/coach/payouts/self-billing/").status_code == 404
    assert client.post("/coach/payouts/self-billing/accept/", {"accept": "on"}).status_code == 404
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    login(strict, coach.user)
    assert strict.post("/coach/payouts/self-billing/accept/", {"accept": "on"}).status_code == 403


def test_an_unregistered_coach_gets_a_gutschrift_without_vat(coach):
    self_billing_agreement_accept(coach=coach, user=coach.user)
    document = self_billed_invoice_issue(coach=coach, lines=LINES, reference="payout-2026-03")

    assert document.kind == DocumentKind.SELF_BILLED
    assert document.number == f"SBI-{YEAR}-000001"
    assert document.owner == coach.user
    assert document.issuer_name == "Chris Coach"
    assert document.recipient_name == "Coaching Platform AG"
    assert (document.vat_total, document.gross_total) == (Decimal("0"), Decimal("401.03"))
    assert not document.shows_vat
    text = pdf_text(document_pdf_bytes(document))
    assert "Self-billing / Gutschrift" in text
    assert f"SBI-{YEAR}-000001" in text
    assert "Hauptgasse 3" in text and "Not VAT-registered" in text
    assert "% MWST" not in text and "VAT (incl" not in text and "No VAT" in text
    assert "VAT rate" not in text
    assert "02.03." in text and "CHF 401.03" in text


def test_a_vat_registered_coach_gets_vat_with_their_number(coach):
    BillingDetails.objects.filter(user=coach.user).update(
        vat_registered=True, vat_number="CHE-111.222.333 MWST"
    )
    self_billing_agreement_accept(coach=coach, user=coach.user)
    document = self_billed_invoice_issue(coach=coach, lines=LINES, reference="payout-x")
    assert document.shows_vat and document.issuer_vat_number == "CHE-111.222.333 MWST"
    assert document.vat_total == Decimal("8.84") + Decimal("21.21")
    text = pdf_text(document_pdf_bytes(document))
    assert "VAT-registered: CHE-111.222.333 MWST" in text
    assert "8.1%" in text and "CHF 30.05" in text


def test_registered_without_a_number_shows_no_vat(coach):
    BillingDetails.objects.filter(user=coach.user).update(vat_registered=True, vat_number="")
    self_billing_agreement_accept(coach=coach, user=coach.user)
    document = self_billed_invoice_issue(coach=coach, lines=LINES, reference="payout-y")
    assert not document.shows_vat and document.vat_total == 0


def test_one_self_billed_invoice_per_payout_reference(coach):
    self_billing_agreement_accept(coach=coach, user=coach.user)
    first = self_billed_invoice_issue(coach=coach, lines=LINES, reference="payout-7")
    again = self_billed_invoice_issue(coach=coach, lines=LINES, reference="payout-7")
    other = self_billed_invoice_issue(coach=coach, lines=LINES[:1], reference="payout-8")
    assert first.pk == again.pk
    assert other.number == f"SBI-{YEAR}-000002"


def test_the_coach_contests_within_the_period_and_staff_resolve_with_a_credit_note(client, coach):
    self_billing_agreement_accept(coach=coach, user=coach.user)
    document = self_billed_invoice_issue(coach=coach, lines=LINES, reference="payout-9")
    login(client, coach.user)
    listing = client.get("/payments/invoices/").content.decode()
    assert document.number in listing and "Contest" in listing
    response = client.post(
        reverse("invoicing:contest", args=[document.number]),
        {"reason": "The webinar had 2 seats, not 3."},
    )
    assert response.status_code == 302
    [contest] = DocumentContest.objects.all()
    with pytest.raises(ContestNotAllowed):
        self_billed_invoice_contest(document=document, user=coach.user, reason="again")

    credit = contest_resolve(contest_id=contest.pk)
    assert credit.kind == DocumentKind.CREDIT_NOTE and credit.refers_to == document
    assert credit.gross_total == -document.gross_total
    assert credit.owner == coach.user and credit.issuer_name == document.issuer_name
    assert contest_resolve(contest_id=contest.pk).pk == credit.pk  # once
    text = pdf_text(document_pdf_bytes(credit))
    assert "Self-billing / Gutschrift" in text
    assert f"Revokes {document.number}" in text


def test_a_contest_after_the_period_or_by_someone_else_is_refused(coach, settings):
    self_billing_agreement_accept(coach=coach, user=coach.user)
    document = self_billed_invoice_issue(coach=coach, lines=LINES, reference="payout-10")
    with pytest.raises(ContestNotAllowed):
        self_billed_invoice_contest(document=document, user=UserFactory(), reason="mine?")
    settings.SELF_BILLING_CONTEST_DAYS = 30
    later = timezone.now() + timedelta(days=31)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        with pytest.raises(ContestNotAllowed, match="30 days"):
            self_billed_invoice_contest(document=document, user=coach.user, reason="late")


def test_a_client_cannot_see_a_coachs_self_billed_invoice(client, coach):
    self_billing_agreement_accept(coach=coach, user=coach.user)
    document = self_billed_invoice_issue(coach=coach, lines=LINES, reference="payout-11")
    login(client, UserFactory())
    assert client.get(reverse("invoicing:pdf", args=[document.number])).status_code == 404
    assert (
        client.post(reverse("invoicing:contest", args=[document.number]), {"reason": "x"})
    ).status_code == 404


def test_staff_resolve_a_contest_from_the_admin_with_a_credit_note(client, coach):
    self_billing_agreement_accept(coach=coach, user=coach.user)
    document = self_billed_invoice_issue(coach=coach, lines=LINES, reference="payout-12")
    contest = self_billed_invoice_contest(document=document, user=coach.user, reason="Wrong")
    staff = UserFactory(is_staff=True, is_superuser=True, role="staff")
    login(client, staff)
    response = client.post(
        reverse("admin:invoicing_documentcontest_changelist"),
        {"action": "resolve_with_credit_note", "_selected_action": [contest.pk]},
        follow=True,
    )
    assert response.status_code == 200
    contest.refresh_from_db()
    assert contest.resolution.refers_to == document
    assert f"{document.number} revoked by {contest.resolution.number}" in response.content.decode()


def test_an_empty_or_oversized_contest_is_refused_politely(client, coach):
    self_billing_agreement_accept(coach=coach, user=coach.user)
    document = self_billed_invoice_issue(coach=coach, lines=LINES, reference="payout-13")
    login(client, coach.user)
    url = reverse("invoicing:contest", args=[document.number])
    for data in ({}, {"reason": "   "}, {"reason": "x" * 5000}):
        response = client.post(url, data, follow=True)
        assert response.status_code == 200
    assert not DocumentContest.objects.exists()
