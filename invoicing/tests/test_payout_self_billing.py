"""The payout run and self-billing (seed 004 §4.5): no agreement, no payout (the item waits
without spending an attempt and the coach is told why); with it, a self-billed invoice for
the coach's share is issued before the transfer, once per payout item, even across runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from invoicing.models import Document
from invoicing.services import self_billing_agreement_accept
from payments.models import PayoutItem
from payments.payouts.run import payouts_process
from payments.tests.connect_helpers import delivered_session, ready_coach, transfers_at_stripe

pytestmark = pytest.mark.django_db


def _later(hours: float = 49):
    return timezone.now() + dt.timedelta(hours=hours)


def test_without_the_agreement_the_share_waits_and_no_transfer_is_made(localstripe):
    coach = ready_coach(localstripe["base"], self_billing=False)
    payment = delivered_session(coach)

    report = payouts_process(now=_later())

    assert report.paid == 0 and report.blocked == 1
    assert transfers_at_stripe(localstripe["base"]) == []
    item = PayoutItem.objects.get(payment=payment)
    assert item.status == PayoutItem.Status.PENDING
    assert item.attempts == 0  # waiting for the coach is not a failed attempt
    assert "self-billing agreement" in item.blocked_reason
    assert not Document.objects.filter(kind="self_billed").exists()


def test_with_the_agreement_a_self_billed_invoice_precedes_the_one_transfer(localstripe):
    coach = ready_coach(localstripe["base"], self_billing=False)
    payment = delivered_session(coach)
    payouts_process(now=_later())  # blocked: no agreement yet
    self_billing_agreement_accept(coach=coach, user=coach.user)

    report = payouts_process(now=_later(50))
    payouts_process(now=_later(51))  # nothing left: no second document, no second transfer

    assert report.paid == 1
    item = PayoutItem.objects.get(payment=payment)
    [sbi] = Document.objects.filter(kind="self_billed")
    assert sbi.number.startswith(f"SBI-{sbi.issued_at.year}-")
    assert sbi.reference == f"payout-item-{item.pk}"
    assert sbi.owner == coach.user
    assert sbi.gross_total == payment.coach_share == item.amount_transferred
    [transfer] = transfers_at_stripe(localstripe["base"])
    assert transfer["amount"] == int(payment.coach_share * 100)


def test_the_payouts_page_offers_the_agreement_until_it_is_accepted(client, localstripe):
    coach = ready_coach(localstripe["base"], self_billing=False)
    client.force_login(coach.user)

    page = client.get("/coach/payouts/").content.decode()
    assert 'action="/coach/payouts/self-billing/accept/"' in page
    assert 'name="next" value="/coach/payouts/"' in page

    response = client.post(
        "/coach/payouts/self-billing/accept/", {"accept": "on", "next": "/coach/payouts/"}
    )
    assert response.status_code == 302 and response["Location"] == "/coach/payouts/"
    assert "Accepted" in client.get("/coach/payouts/").content.decode()
