"""Settlement advices: rendered by WeasyPrint in a Celery task after the run's commit, stored
once, totals matching the Stripe transfers, emailed to the coach, and served only to that
coach and staff."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import CoachFactory, UserFactory
from notifications.models import Notification
from payments.models import Settlement
from payments.payouts.advice import advice_context, settlement_advice_render
from payments.payouts.run import payouts_process
from payments.tests.connect_helpers import delivered_session, ready_coach, transfers_at_stripe

pytestmark = pytest.mark.django_db


@pytest.fixture
def settled(localstripe, django_capture_on_commit_callbacks):
    coach = ready_coach(localstripe["base"])
    payments = [
        delivered_session(coach, total=Decimal("150.00")),
        delivered_session(coach, total=Decimal("90.00")),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        payouts_process(now=timezone.now() + dt.timedelta(hours=49))
    return coach, payments, Settlement.objects.get(coach=coach)


def test_the_advice_pdf_is_stored_and_its_total_matches_the_transfers(settled, localstripe):
    coach, payments, settlement = settled

    assert settlement.pdf.name
    with settlement.pdf.open("rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    transfers = transfers_at_stripe(localstripe["base"], destination=coach.stripe_account_id)
    assert int(settlement.total_transferred * 100) == sum(t["amount"] for t in transfers)
    context = advice_context(settlement)
    assert context["total"] == sum(p.coach_share for p in payments)
    assert {line.transfer_id for line in context["lines"]} == {t["id"] for t in transfers}
    html = render_to_string("payments/payouts/advice_pdf.html", context)
    for payment in payments:
        assert payment.payer.first_name in html
        assert str(payment.platform_fee) in html and str(payment.vat_amount) in html


def test_the_advice_is_rendered_once_and_never_changed(settled):
    _, _, settlement = settled
    name = settlement.pdf.name

    again = settlement_advice_render(settlement_id=settlement.pk)

    assert again.pdf.name == name


def test_the_coach_gets_the_advice_by_email_and_in_app(settled):
    coach, _, settlement = settled

    [message] = [m for m in mail.outbox if coach.user.email in m.to]
    assert "Settlement advice" in message.subject
    [(filename, content, mimetype)] = message.attachments
    assert mimetype == "application/pdf" and content.startswith(b"%PDF-")
    assert Notification.objects.filter(
        recipient=coach.user, type="payout_settlement_advice"
    ).exists()
    settlement.refresh_from_db()
    assert settlement.emailed_at is not None


def test_that_coach_and_staff_may_download_it(client, settled):
    coach, _, settlement = settled
    url = reverse("payouts:advice_pdf", args=[settlement.pk])

    client.force_login(coach.user)
    own = client.get(url)
    client.force_login(UserFactory(is_staff=True, role=User.Role.STAFF))
    staff = client.get(url)

    assert own.status_code == 200 and own["Content-Type"] == "application/pdf"
    assert staff.status_code == 200


@pytest.mark.parametrize("who", ["other_coach", "client"])  # coaches are is_staff too
def test_nobody_else_can_fetch_the_advice(client, settled, who):
    _, _, settlement = settled
    user = CoachFactory().user if who == "other_coach" else UserFactory()
    client.force_login(user)

    response = client.get(reverse("payouts:advice_pdf", args=[settlement.pk]))

    assert response.status_code == 404


def test_anonymous_is_sent_to_log_in(client, settled):
    response = client.get(reverse("payouts:advice_pdf", args=[settled[2].pk]))
    assert response.status_code == 302


def test_the_coach_sees_the_paid_item_and_the_advice_link(client, settled):
    coach, _, settlement = settled
    client.force_login(coach.user)

    page = client.get(reverse("payouts:overview")).content.decode()

    assert reverse("payouts:advice_pdf", args=[settlement.pk]) in page
    assert 'data-state="ready"' in page
