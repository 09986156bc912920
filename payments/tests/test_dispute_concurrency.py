"""Two dispute events for the same dispute handled at once (real threads, PostgreSQL, one
connection each) freeze the payout item once. The control replaces the payment and dispute
row locks with plain reads: both deliveries then see an unfrozen dispute, both freeze, staff
are alerted twice and the second records "frozen" as the status to restore, so winning the
dispute would leave the item frozen for ever."""

from __future__ import annotations

import time

import pytest

from accounts.tests.factories import UserFactory
from notifications.models import Notification
from payments.disputes import services
from payments.disputes.models import Dispute
from payments.models import Payment, PayoutItem
from payments.tests.dispute_helpers import dispute_object
from payments.tests.factories import PaymentFactory
from tests.concurrency import race

pytestmark = [pytest.mark.realservices, pytest.mark.django_db(transaction=True)]
EVENTS = ("charge.dispute.updated", "charge.dispute.funds_withdrawn")


def _open_unfrozen_dispute() -> tuple[Payment, dict]:
    """A dispute recorded while its payment was still processing, now completed: the next
    dispute event freezes it."""
    payment = PaymentFactory(status=Payment.Status.PROCESSING, stripe_charge_id="ch_race")
    PayoutItem.objects.create(
        payment=payment,
        coach=payment.coach,
        currency="CHF",
        gross_share=payment.coach_share,
        transfer_group="race",
    )
    obj = dispute_object(payment)
    services.dispute_sync(obj=obj)
    Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.COMPLETED)
    return payment, obj


def _race(obj) -> list:
    results = race(2, lambda i: services.dispute_sync(obj=obj, event_type=EVENTS[i]))
    assert not [r for r in results if isinstance(r, Exception)], results
    return results


def test_two_dispute_events_at_once_freeze_once(transactional_db):
    staff = UserFactory(is_staff=True, is_superuser=True)
    payment, obj = _open_unfrozen_dispute()

    _race(obj)

    dispute = Dispute.objects.get()
    assert dispute.payout_status_before == PayoutItem.Status.ON_HOLD
    assert dispute.payment_status_before == Payment.Status.COMPLETED
    assert PayoutItem.objects.get(payment=payment).status == PayoutItem.Status.FROZEN
    assert Notification.objects.filter(recipient=staff, type="dispute_opened").count() == 1


def test_control_without_the_row_locks_both_events_freeze(transactional_db, monkeypatch):
    staff = UserFactory(is_staff=True, is_superuser=True)
    payment, obj = _open_unfrozen_dispute()

    def unlocked_payment(*, charge_id, payment_intent_id=""):
        found = Payment.objects.filter(stripe_charge_id=charge_id).first()
        time.sleep(0.5)  # both deliveries have read before either commits
        return found

    def unlocked_dispute(obj, payment):
        return Dispute.objects.get(stripe_dispute_id=obj["id"])

    monkeypatch.setattr(services, "lock_payment_for_charge", unlocked_payment)
    monkeypatch.setattr(services, "_dispute_locked", unlocked_dispute)

    _race(obj)

    dispute = Dispute.objects.get()
    assert Notification.objects.filter(recipient=staff, type="dispute_opened").count() == 2
    assert dispute.payout_status_before == PayoutItem.Status.FROZEN  # the freeze is stuck
