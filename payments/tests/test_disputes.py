"""Disputes end to end through the signed webhook: the payout item is frozen while a dispute
is open (the payout run skips it) and released when it is won; a lost dispute is allocated
by policy; a paid coach's part is reversed and re-transferred; replays and out-of-order
events converge. Real payout run against the Connect stand-in (PostgreSQL in CI)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from core.command_center import command_center_rows
from notifications.models import Notification, OutboundEmail
from payments.models import Dispute, Payment, PayoutItem, PayoutReversal, WebhookEvent
from payments.money import quantize
from payments.payouts.run import payouts_process
from payments.tests.connect_helpers import (
    account_balance,
    delivered_session,
    drain_balance,
    ready_coach,
    transfers_at_stripe,
)
from payments.tests.dispute_helpers import dispute_object, send

pytestmark = pytest.mark.django_db
LATER = dt.timedelta(hours=49)


def _later():
    return timezone.now() + LATER


@pytest.fixture
def staff():
    return UserFactory(is_staff=True, is_superuser=True)


def _item(payment) -> PayoutItem:
    return PayoutItem.objects.get(payment=payment)


def test_dispute_freezes_the_payout_item_the_run_skips_it_and_winning_releases_it(
    localstripe, client, staff
):
    base = localstripe["base"]
    coach = ready_coach(base)
    payment = delivered_session(coach, total=Decimal("150.00"))
    dispute = dispute_object(payment)

    send(client, "created", dispute)

    payment.refresh_from_db()
    assert payment.status == Payment.Status.DISPUTED
    assert _item(payment).status == PayoutItem.Status.FROZEN
    report = payouts_process(now=_later())
    assert report.paid == 0 and transfers_at_stripe(base) == []
    assert _item(payment).status == PayoutItem.Status.FROZEN

    send(client, "updated", dispute, status="under_review")
    send(client, "closed", dispute, status="won")

    payment.refresh_from_db()
    record = Dispute.objects.get(stripe_dispute_id=dispute["id"])
    assert record.outcome == Dispute.Outcome.WON and record.coach_loss == 0
    assert payment.status == Payment.Status.COMPLETED  # the status before the dispute
    assert _item(payment).status != PayoutItem.Status.FROZEN
    report = payouts_process(now=_later())
    assert report.paid == 1
    [transfer] = transfers_at_stripe(base)
    assert transfer["amount"] == int(payment.coach_share * 100)


def test_lost_dispute_on_an_unpaid_item_takes_the_coachs_proportional_share(
    localstripe, client, staff
):
    base = localstripe["base"]
    coach = ready_coach(base)
    payment = delivered_session(coach, total=Decimal("150.00"))
    dispute = dispute_object(payment, amount=Decimal("60.00"))

    send(client, "created", dispute)
    send(client, "closed", dispute, status="lost")

    record = Dispute.objects.get(stripe_dispute_id=dispute["id"])
    coach_part = quantize(payment.coach_share * Decimal("60") / Decimal("150"), "CHF")
    assert record.outcome == Dispute.Outcome.LOST
    assert record.loss_policy == "proportional"
    assert record.coach_loss == coach_part
    assert record.platform_loss == Decimal("60.00") - coach_part
    assert _item(payment).refund_deduction == coach_part
    payouts_process(now=_later())
    [transfer] = transfers_at_stripe(base)
    assert transfer["amount"] == int((payment.coach_share - coach_part) * 100)


def test_lost_dispute_for_the_whole_charge_leaves_nothing_to_pay(localstripe, client, staff):
    coach = ready_coach(localstripe["base"])
    payment = delivered_session(coach, total=Decimal("150.00"))
    dispute = dispute_object(payment)

    send(client, "created", dispute)
    send(client, "closed", dispute, status="lost")

    assert _item(payment).status == PayoutItem.Status.CANCELLED
    assert Dispute.objects.get().coach_loss == payment.coach_share
    assert payouts_process(now=_later()).paid == 0


def test_dispute_after_payout_reverses_the_coachs_part_and_winning_transfers_it_back(
    localstripe, client, staff, django_capture_on_commit_callbacks
):
    base = localstripe["base"]
    coach = ready_coach(base)
    payment = delivered_session(coach, total=Decimal("150.00"))
    payouts_process(now=_later())
    paid_balance = account_balance(base, coach.stripe_account_id)
    dispute = dispute_object(payment)

    with django_capture_on_commit_callbacks(execute=True):
        send(client, "created", dispute)

    reversal = PayoutReversal.objects.get(item=_item(payment))
    assert reversal.amount == payment.coach_share
    assert reversal.status == PayoutReversal.Status.DONE
    assert account_balance(base, coach.stripe_account_id) == paid_balance - int(
        payment.coach_share * 100
    )

    with django_capture_on_commit_callbacks(execute=True):
        send(client, "closed", dispute, status="won")

    record = Dispute.objects.get()
    assert record.retransfer_amount == payment.coach_share and record.retransfer_id
    assert account_balance(base, coach.stripe_account_id) == paid_balance
    retransfer = [t for t in transfers_at_stripe(base) if t["id"] == record.retransfer_id]
    assert retransfer[0]["metadata"]["dispute"] == dispute["id"]


def test_dispute_after_payout_lost_keeps_the_reversal_and_pays_nothing_back(
    localstripe, client, staff, django_capture_on_commit_callbacks
):
    base = localstripe["base"]
    coach = ready_coach(base)
    payment = delivered_session(coach, total=Decimal("150.00"))
    payouts_process(now=_later())
    dispute = dispute_object(payment)

    with django_capture_on_commit_callbacks(execute=True):
        send(client, "created", dispute)
        send(client, "closed", dispute, status="lost")

    record = Dispute.objects.get()
    assert record.coach_loss == payment.coach_share
    assert record.platform_loss == payment.amount_total - payment.coach_share
    assert record.retransfer_amount == 0
    assert PayoutReversal.objects.filter(item=_item(payment)).count() == 1


def test_platform_bears_policy_gives_a_reversed_share_back_when_lost(
    localstripe, client, staff, settings, django_capture_on_commit_callbacks
):
    settings.DISPUTE_LOSS_POLICY = "platform_bears"
    base = localstripe["base"]
    coach = ready_coach(base)
    payment = delivered_session(coach, total=Decimal("150.00"))
    payouts_process(now=_later())
    paid_balance = account_balance(base, coach.stripe_account_id)
    dispute = dispute_object(payment)

    with django_capture_on_commit_callbacks(execute=True):
        send(client, "created", dispute)
        send(client, "closed", dispute, status="lost")

    record = Dispute.objects.get()
    assert record.coach_loss == 0 and record.platform_loss == payment.amount_total
    assert record.retransfer_id
    assert account_balance(base, coach.stripe_account_id) == paid_balance


def test_won_dispute_forgives_the_debt_a_short_balance_turned_the_reversal_into(
    localstripe, client, staff, django_capture_on_commit_callbacks
):
    base = localstripe["base"]
    coach = ready_coach(base)
    payment = delivered_session(coach, total=Decimal("150.00"))
    payouts_process(now=_later())
    drain_balance(base, coach.stripe_account_id)
    dispute = dispute_object(payment)

    with django_capture_on_commit_callbacks(execute=True):
        send(client, "created", dispute)
    debt = coach.debts.get()
    assert debt.remaining == payment.coach_share

    with django_capture_on_commit_callbacks(execute=True):
        send(client, "closed", dispute, status="won")

    debt.refresh_from_db()
    assert debt.remaining == 0 and debt.settled_at is not None
    assert Dispute.objects.get().retransfer_amount == 0  # nothing had been netted yet


def test_replayed_and_repeated_dispute_events_freeze_once(
    localstripe, client, staff, django_capture_on_commit_callbacks
):
    coach = ready_coach(localstripe["base"])
    payment = delivered_session(coach)
    dispute = dispute_object(payment)

    with django_capture_on_commit_callbacks(execute=True):
        send(client, "created", dispute)
        send(client, "created", dispute)  # the same event id again: a replay
        send(client, "funds_withdrawn", dispute)  # another event, same state
        send(client, "updated", dispute)

    record = Dispute.objects.get()
    assert record.payment_status_before == Payment.Status.COMPLETED
    assert record.payout_status_before == PayoutItem.Status.ON_HOLD
    assert record.funds_withdrawn_at is not None
    assert WebhookEvent.objects.filter(type="charge.dispute.created").count() == 1
    assert Notification.objects.filter(recipient=staff, type="dispute_opened").count() == 1
    email = OutboundEmail.objects.get(to_email=staff.email, type="dispute_opened")
    assert "disputed a payment" in email.subject


@pytest.mark.parametrize("outcome", ["won", "lost"])
def test_closed_before_created_ends_where_created_then_closed_does(
    localstripe, client, staff, outcome
):
    coach = ready_coach(localstripe["base"])
    in_order = delivered_session(coach, total=Decimal("150.00"))
    reversed_order = delivered_session(coach, total=Decimal("150.00"))
    first = dispute_object(in_order, amount=Decimal("90.00"))
    second = dispute_object(reversed_order, amount=Decimal("90.00"))

    send(client, "created", first)
    send(client, "closed", first, status=outcome)
    send(client, "closed", second, status=outcome)
    send(client, "created", second)  # stale: must not reopen or freeze
    send(client, "updated", second, status="under_review")

    results = []
    for payment, dispute in ((in_order, first), (reversed_order, second)):
        payment.refresh_from_db()
        item = _item(payment)
        record = Dispute.objects.get(stripe_dispute_id=dispute["id"])
        results.append(
            (
                payment.status,
                item.status,
                item.refund_deduction,
                record.status,
                record.outcome,
                record.coach_loss,
                record.platform_loss,
            )
        )
    assert results[0] == results[1]
    assert results[0][0] == Payment.Status.COMPLETED
    assert results[0][3] == outcome


def test_a_dispute_on_a_charge_we_do_not_know_is_still_recorded(client, staff):
    dispute = dispute_object(None, charge_id="ch_not_ours", amount=Decimal("25.00"))

    send(client, "created", dispute)
    send(client, "closed", dispute, status="lost")

    record = Dispute.objects.get()
    assert record.payment is None and record.stripe_charge_id == "ch_not_ours"
    assert record.amount == Decimal("25.00") and record.outcome == Dispute.Outcome.LOST


def test_an_open_dispute_is_a_command_center_tile_and_staff_are_reminded_once_before_due_by(
    client, staff, settings, django_capture_on_commit_callbacks
):
    from payments.disputes.services import dispute_reminders_send
    from payments.tests.factories import PaymentFactory

    payment = PaymentFactory(status=Payment.Status.COMPLETED, stripe_charge_id="ch_tile")
    with django_capture_on_commit_callbacks(execute=True):
        send(client, "created", dispute_object(payment, due_in_days=10))
    settings.DISPUTE_REMIND_DAYS_BEFORE = 3

    assert dispute_reminders_send() == 0  # due in 10 days: not yet
    later = timezone.now() + dt.timedelta(days=8)
    assert dispute_reminders_send(now=later) == 1
    assert dispute_reminders_send(now=later) == 0

    tile = {row.key: row for row in command_center_rows()}["disputes_open"]
    assert tile.count == 1 and "state=open" in tile.url and "next evidence due" in tile.note
    types = set(Notification.objects.filter(recipient=staff).values_list("type", flat=True))
    assert {"dispute_opened", "dispute_due_soon"} <= types


def test_a_dispute_that_arrives_before_the_payment_completed_is_frozen_by_reconciliation(
    client, staff
):
    from payments.disputes.services import disputes_reconcile
    from payments.tests.factories import PaymentFactory

    payment = PaymentFactory(status=Payment.Status.PROCESSING, stripe_charge_id="ch_early")
    send(client, "created", dispute_object(payment))
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PROCESSING
    assert Dispute.objects.get().frozen_at is None

    Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.COMPLETED)
    assert disputes_reconcile() == 1

    payment.refresh_from_db()
    assert payment.status == Payment.Status.DISPUTED
    assert _item(payment).status == PayoutItem.Status.FROZEN


def test_the_coach_sees_the_frozen_amount_on_their_payouts_page(client, staff):
    from django.urls import reverse

    from payments.tests.factories import PaymentFactory

    payment = PaymentFactory(status=Payment.Status.COMPLETED, stripe_charge_id="ch_coach_page")
    send(client, "created", dispute_object(payment))
    client.force_login(payment.coach.user)

    page = client.get(reverse("payouts:overview"))

    assert page.status_code == 200
    assert "frozen: the client disputed the payment" in page.content.decode()
    assert "117.95" in page.content.decode()


def test_refunds_are_blocked_by_a_chargeback_and_a_lost_dispute_but_not_by_an_inquiry(
    client, staff
):
    from payments.disputes.selectors import refund_blocked_by_dispute
    from payments.tests.factories import PaymentFactory

    inquiry = PaymentFactory(status=Payment.Status.COMPLETED, stripe_charge_id="ch_inquiry")
    chargeback = PaymentFactory(status=Payment.Status.COMPLETED, stripe_charge_id="ch_chargeback")
    send(client, "created", dispute_object(inquiry, status="warning_needs_response"))
    lost = dispute_object(chargeback)
    send(client, "created", lost)

    assert refund_blocked_by_dispute(inquiry) == ""
    assert "disputed" in refund_blocked_by_dispute(chargeback)
    send(client, "closed", lost, status="lost")
    chargeback.refresh_from_db()
    assert chargeback.status == Payment.Status.COMPLETED
    assert "won a dispute" in refund_blocked_by_dispute(chargeback)
