"""The payout run against the Connect stand-in: hold period, separate charges and transfers,
retries with backoff, readiness, crash safety, refunds before and after the transfer, debts
netted next time, and the hook registry other apps plug into."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import requests
from django.core.management import call_command
from django.utils import timezone

from accounts.tests.factories import UserFactory
from notifications.models import Notification
from payments.models import CoachDebt, PayoutItem, PayoutReversal, Settlement
from payments.payouts import gateway as connect
from payments.payouts import hooks
from payments.payouts.run import _claim, payouts_process, transfer_send
from payments.services import payment_refund
from payments.tests.connect_helpers import (
    account_balance,
    delivered_session,
    drain_balance,
    ready_coach,
    set_faults,
    transfers_at_stripe,
)

pytestmark = pytest.mark.django_db
LATER = dt.timedelta(hours=49)


def _later():
    return timezone.now() + LATER


def test_nothing_is_due_during_the_hold_and_the_share_is_transferred_once_after(localstripe):
    base = localstripe["base"]
    coach = ready_coach(base)
    payment = delivered_session(coach)

    early = payouts_process(now=timezone.now())
    assert early.paid == 0 and not transfers_at_stripe(base)

    report = payouts_process(now=_later())
    again = payouts_process(now=_later() + dt.timedelta(hours=1))

    assert report.paid == 1 and again.paid == 0
    [transfer] = transfers_at_stripe(base)
    item = PayoutItem.objects.get(payment=payment)
    assert item.status == PayoutItem.Status.PAID
    assert item.stripe_transfer_id == transfer["id"]
    assert transfer["amount"] == int(payment.coach_share * 100)
    assert transfer["destination"] == coach.stripe_account_id
    assert transfer["source_transaction"] == payment.stripe_charge_id
    assert transfer["transfer_group"] == payment.transfer_group
    assert transfer["metadata"]["payout_item_id"] == str(item.pk)
    assert item.due_at == item.service_ended_at + dt.timedelta(hours=48)
    [settlement] = Settlement.objects.filter(coach=coach)
    assert settlement.total_transferred == payment.coach_share


def test_a_hold_of_zero_hours_pays_right_after_the_service(localstripe, settings):
    settings.PAYOUT_HOLD_HOURS = 0
    coach = ready_coach(localstripe["base"])
    delivered_session(coach, ended_hours_ago=0.1)

    assert payouts_process().paid == 1


def test_a_coach_who_is_not_ready_is_skipped_without_spending_attempts(localstripe):
    from payments.models import ConnectAccount

    coach = ready_coach(localstripe["base"])
    payment = delivered_session(coach)
    ConnectAccount.objects.filter(coach=coach).update(payouts_enabled=False)

    report = payouts_process(now=_later())

    item = PayoutItem.objects.get(payment=payment)
    assert report.not_ready == 1 and report.paid == 0
    assert item.status == PayoutItem.Status.PENDING and item.attempts == 0
    assert not transfers_at_stripe(localstripe["base"])


def test_a_full_refund_before_the_payout_produces_nothing(localstripe):
    coach = ready_coach(localstripe["base"])
    payment = delivered_session(coach)
    payment_refund(payment_id=payment.pk, reason="cancelled", notify=False)

    payouts_process(now=_later())

    assert PayoutItem.objects.get(payment=payment).status == PayoutItem.Status.CANCELLED
    assert not transfers_at_stripe(localstripe["base"])


def test_a_partial_refund_before_the_payout_reduces_the_share_in_proportion(localstripe):
    coach = ready_coach(localstripe["base"])
    payment = delivered_session(coach, total=Decimal("150.00"))
    payment_refund(payment_id=payment.pk, amount=Decimal("75.00"), reason="half", notify=False)

    payouts_process(now=_later())

    item = PayoutItem.objects.get(payment=payment)
    assert item.refund_deduction == (payment.coach_share / 2).quantize(Decimal("0.01"))
    [transfer] = transfers_at_stripe(localstripe["base"])
    assert transfer["amount"] == int(item.amount * 100)


def test_a_failing_transfer_is_retried_with_backoff_then_failed_and_staff_alerted(
    localstripe, settings, django_capture_on_commit_callbacks
):
    settings.PAYOUT_MAX_ATTEMPTS = 2
    staff = UserFactory(is_staff=True, is_superuser=True)
    coach = ready_coach(localstripe["base"])
    payment = delivered_session(coach)
    set_faults(localstripe["base"], transfer_errors=5)
    now = _later()

    first = payouts_process(now=now)
    item = PayoutItem.objects.get(payment=payment)
    assert first.retrying == 1
    assert item.status == PayoutItem.Status.PENDING and item.attempts == 1
    assert now <= item.next_attempt_at <= now + dt.timedelta(seconds=60)

    with django_capture_on_commit_callbacks(execute=True):
        payouts_process(now=item.next_attempt_at)

    item.refresh_from_db()
    assert item.status == PayoutItem.Status.FAILED and item.attempts == 2
    assert Notification.objects.filter(recipient=staff, type="payout_failed").exists()
    assert not transfers_at_stripe(localstripe["base"])


def test_a_crash_between_the_stripe_call_and_the_commit_does_not_pay_twice(localstripe):
    """The run claimed the item and Stripe made the transfer; the process died before
    recording it. The next run (after the claim's lock expired) replays the same key."""
    base = localstripe["base"]
    coach = ready_coach(base)
    delivered_session(coach)
    now = _later()
    payouts_process(now=timezone.now())  # nothing due yet
    from django.db.models import Q

    from payments.payouts.schedule import payout_items_materialize

    payout_items_materialize(now=now)
    [item] = _claim(now=now, scope=Q(), run_id="crashed", size=10, lock=True)
    transfer_send(item)  # what the crashed run sent; it died before recording it

    payouts_process(now=now + dt.timedelta(minutes=5))  # still locked: left alone
    assert PayoutItem.objects.get(pk=item.pk).status == PayoutItem.Status.PROCESSING
    payouts_process(now=now + dt.timedelta(minutes=11))

    assert len(transfers_at_stripe(base)) == 1
    assert PayoutItem.objects.get(pk=item.pk).status == PayoutItem.Status.PAID


def test_after_stripe_forgot_the_key_the_run_finds_the_transfer_by_its_group(localstripe):
    base = localstripe["base"]
    coach = ready_coach(base)
    delivered_session(coach)
    now = _later()
    from django.db.models import Q

    from payments.payouts.schedule import payout_items_materialize

    payout_items_materialize(now=now)
    [item] = _claim(now=now, scope=Q(), run_id="crashed", size=10, lock=True)
    made = transfer_send(item)
    requests.post(f"{base}/_config/connect/idempotency/expire", timeout=5)

    payouts_process(now=now + dt.timedelta(hours=25))

    assert [t["id"] for t in transfers_at_stripe(base)] == [made.id]
    assert PayoutItem.objects.get(pk=item.pk).stripe_transfer_id == made.id


def test_refund_after_payout_reverses_the_coach_part_in_proportion(
    localstripe, django_capture_on_commit_callbacks
):
    base = localstripe["base"]
    coach = ready_coach(base)
    payment = delivered_session(coach, total=Decimal("150.00"))
    payouts_process(now=_later())
    item = PayoutItem.objects.get(payment=payment)
    before = account_balance(base, coach.stripe_account_id)

    with django_capture_on_commit_callbacks(execute=True):
        payment_refund(
            payment_id=payment.pk, amount=Decimal("30.00"), reason="partial", notify=False
        )

    reversal = PayoutReversal.objects.get(item=item)
    expected = (payment.coach_share * Decimal("30") / Decimal("150")).quantize(Decimal("0.01"))
    assert reversal.amount == expected
    assert reversal.status == PayoutReversal.Status.DONE  # eager Celery ran it after commit
    assert account_balance(base, coach.stripe_account_id) == before - int(expected * 100)
    item.refresh_from_db()
    assert item.amount_reversed == expected


def test_refund_after_the_coach_was_paid_out_becomes_a_debt_netted_next_time(
    localstripe, django_capture_on_commit_callbacks
):
    base = localstripe["base"]
    coach = ready_coach(base)
    first = delivered_session(coach, total=Decimal("150.00"))
    payouts_process(now=_later())
    drain_balance(base, coach.stripe_account_id)  # the money is in the coach's bank

    with django_capture_on_commit_callbacks(execute=True):
        payment_refund(payment_id=first.pk, reason="full refund", notify=False)

    debt = CoachDebt.objects.get(coach=coach)
    assert debt.remaining == first.coach_share
    assert PayoutReversal.objects.get().status == PayoutReversal.Status.DEBT

    second = delivered_session(coach, total=Decimal("300.00"))
    payouts_process(now=_later())

    item = PayoutItem.objects.get(payment=second)
    debt.refresh_from_db()
    assert debt.remaining == 0 and debt.settled_at is not None
    assert item.debt_netted == first.coach_share
    transfer = connect.transfer_list(transfer_group=item.transfer_group)[0]
    assert transfer.amount_minor == int((second.coach_share - first.coach_share) * 100)


def test_a_before_transfer_hook_can_hold_items_back_without_spending_attempts(localstripe):
    coach = ready_coach(localstripe["base"])
    payment = delivered_session(coach)
    seen = []

    def needs_agreement(hook_coach, items):
        seen.append((hook_coach.pk, [i.pk for i in items]))
        raise hooks.PayoutBlocked("No self-billing agreement yet")

    hooks.register_before_transfer(needs_agreement)
    try:
        report = payouts_process(now=_later())
    finally:
        hooks.unregister(needs_agreement)

    item = PayoutItem.objects.get(payment=payment)
    assert report.blocked == 1 and seen == [(coach.pk, [item.pk])]
    assert item.status == PayoutItem.Status.PENDING and item.attempts == 0
    assert item.blocked_reason == "No self-billing agreement yet"
    assert not transfers_at_stripe(localstripe["base"])
    assert payouts_process(now=_later()).paid == 1  # unblocked: paid on the next run


def test_after_settlement_hook_gets_the_settlement(localstripe, django_capture_on_commit_callbacks):
    coach = ready_coach(localstripe["base"])
    delivered_session(coach)
    got = []
    hooks.register_after_settlement(got.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            payouts_process(now=_later())
    finally:
        hooks.unregister(got.append)
    assert [s.coach_id for s in got] == [coach.pk]


def test_process_payouts_command_dry_run_pays_nothing(localstripe, settings):
    settings.PAYOUT_HOLD_HOURS = 0
    coach = ready_coach(localstripe["base"])
    delivered_session(coach)
    from io import StringIO

    out = StringIO()
    call_command("process_payouts", "--dry-run", stdout=out)
    assert "due payments: 1" in out.getvalue()
    assert not transfers_at_stripe(localstripe["base"])

    call_command("process_payouts", "--coach", str(coach.pk), stdout=out)
    assert len(transfers_at_stripe(localstripe["base"])) == 1
