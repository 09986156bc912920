"""Two payout runs at once (real threads, PostgreSQL, one connection each) pay each item once.
The control switches the claim's `select_for_update(skip_locked=True)` off and shows both runs
then claim the same items (double attempts, double hook calls: without Stripe's idempotency
key a double transfer)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.utils import timezone

from payments.models import PayoutItem, Settlement
from payments.payouts import hooks
from payments.payouts.run import payouts_process
from payments.tests.connect_helpers import delivered_session, ready_coach, transfers_at_stripe
from tests.concurrency import race

pytestmark = [pytest.mark.realservices, pytest.mark.django_db(transaction=True)]
ITEMS = 8


def _due_items(base):
    coaches = [ready_coach(base) for _ in range(2)]
    for i in range(ITEMS):
        delivered_session(coaches[i % 2])
    return coaches


def _run_twice(lock: bool):
    now = timezone.now() + dt.timedelta(hours=49)
    calls: list[int] = []
    guard = threading.Lock()

    def count_calls(coach, items):
        with guard:
            calls.extend(i.pk for i in items)

    hooks.register_before_transfer(count_calls)
    try:
        results = race(2, lambda i: payouts_process(now=now, batch_size=2, lock=lock))
    finally:
        hooks.unregister(count_calls)
    assert not [r for r in results if isinstance(r, Exception)], results
    return results, calls


def test_two_concurrent_runs_pay_each_item_once(localstripe):
    _due_items(localstripe["base"])

    results, calls = _run_twice(lock=True)

    assert sum(r.claimed for r in results) == ITEMS
    assert sorted(calls) == sorted(set(calls)) and len(calls) == ITEMS
    items = PayoutItem.objects.all()
    assert {i.status for i in items} == {PayoutItem.Status.PAID}
    assert {i.attempts for i in items} == {1}
    transfers = transfers_at_stripe(localstripe["base"])
    assert len(transfers) == ITEMS
    assert len({t["metadata"]["payout_item_id"] for t in transfers}) == ITEMS
    assert sum(s.items.count() for s in Settlement.objects.all()) == ITEMS


def test_control_without_the_lock_both_runs_claim_the_same_items(localstripe):
    # On a loaded machine one run can finish before the other starts claiming; race fresh
    # items again (up to 5 rounds; the items already paid are not claimed again) until the
    # runs overlap, as they do within 1-2 rounds.
    for _ in range(5):
        _due_items(localstripe["base"])
        results, calls = _run_twice(lock=False)
        if sum(r.claimed for r in results) > ITEMS:
            break

    # Both runs took (some of) the same items: the race the lock prevents is real.
    assert sum(r.claimed for r in results) > ITEMS
    assert len(calls) > len(set(calls))
    assert max(PayoutItem.objects.values_list("attempts", flat=True)) == 2
