"""The one refund service (payments/refunds/service.py): bounded by what is refundable,
ledger rows with policy and initiator, payouts adjusted per policy, disputes refuse, a
Stripe outage leaves the attempt pending and reconciliation finishes it once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.tests.factories import UserFactory
from payments import gateway
from payments.errors import GatewayUnavailable, PaymentError
from payments.models import Dispute, Payment, PayoutItem, Refund, Transaction
from payments.refunds.errors import RefundRefused
from payments.refunds.service import goodwill_room, refund_issue
from payments.services import payment_refund, payments_reconcile
from payments.tests.connect_helpers import delivered_session, ready_coach

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(localstripe):
    """A paid CHF 150.00 session: coach share 117.95, platform fee 20.81, VAT 11.24."""
    return delivered_session(ready_coach(localstripe["base"]))


def _refund_rows(payment):
    return list(Transaction.objects.filter(payment=payment, kind=Transaction.Kind.REFUND))


def test_a_standard_partial_refund_books_policy_initiator_and_the_coachs_part(paid):
    staff = UserFactory(is_staff=True)

    refund = refund_issue(
        payment_id=paid.pk,
        amount=Decimal("50.00"),
        policy="standard",
        initiator="staff",
        actor=staff,
        reason="Sound failed for 20 minutes",
        notify=False,
    )

    paid.refresh_from_db()
    [row] = _refund_rows(paid)
    assert (
        refund.status == Refund.Status.SUCCEEDED and refund.stripe_refund_id == row.stripe_object_id
    )
    assert (row.amount, row.policy, row.initiator, row.actor) == (
        Decimal("50.00"),
        "standard",
        "staff",
        staff,
    )
    assert paid.status == Payment.Status.PARTIALLY_REFUNDED
    assert paid.amount_refunded == Decimal("50.00")
    item = PayoutItem.objects.get(payment=paid)
    # 117.95 * 50 / 150 = 39.316... -> 39.32 comes out of the coach's share.
    assert item.refund_deduction == Decimal("39.32")


def test_platform_fault_leaves_the_coachs_share_whole(paid):
    refund_issue(
        payment_id=paid.pk,
        amount=Decimal("150.00"),
        policy="platform_fault",
        initiator="staff",
        reason="Video platform outage",
        notify=False,
    )

    paid.refresh_from_db()
    assert paid.status == Payment.Status.REFUNDED
    item = PayoutItem.objects.get(payment=paid)
    assert item.refund_deduction == 0 and item.amount == paid.coach_share


def test_goodwill_is_paid_from_the_platform_fee_and_bounded_by_it(paid):
    refund_issue(
        payment_id=paid.pk,
        amount=Decimal("15.00"),
        policy="goodwill",
        initiator="staff",
        reason="Late start",
        notify=False,
    )
    paid.refresh_from_db()
    assert goodwill_room(paid) == Decimal("5.81")  # fee 20.81 - 15.00

    with pytest.raises(RefundRefused) as refused:
        refund_issue(
            payment_id=paid.pk,
            amount=Decimal("10.00"),
            policy="goodwill",
            initiator="staff",
            reason="More goodwill",
            notify=False,
        )

    assert refused.value.code == "above_goodwill"
    paid.refresh_from_db()
    assert paid.amount_refunded == Decimal("15.00") and len(_refund_rows(paid)) == 1
    assert PayoutItem.objects.get(payment=paid).refund_deduction == 0


def test_a_standard_refund_after_a_platform_fault_one_only_counts_its_own_amount(paid):
    refund_issue(
        payment_id=paid.pk, amount=Decimal("75.00"), policy="platform_fault",
        initiator="staff", reason="outage", notify=False,
    )  # fmt: skip
    refund_issue(
        payment_id=paid.pk, amount=Decimal("75.00"), policy="standard",
        initiator="staff", reason="rest", notify=False,
    )  # fmt: skip

    # 117.95 * 75 / 150 = 58.975 -> 58.98, not the share of the whole 150.
    assert PayoutItem.objects.get(payment=paid).refund_deduction == Decimal("58.98")


def test_more_than_refundable_is_refused_and_nothing_changes(paid):
    with pytest.raises(RefundRefused) as refused:
        refund_issue(
            payment_id=paid.pk,
            amount=Decimal("150.01"),
            policy="standard",
            initiator="staff",
            reason="too much",
        )

    assert refused.value.code == "above_refundable"
    paid.refresh_from_db()
    assert paid.status == Payment.Status.COMPLETED and paid.amount_refunded == 0
    assert not Refund.objects.exists() and not _refund_rows(paid)


def test_a_disputed_payment_is_refused(paid):
    Dispute.objects.create(
        stripe_dispute_id="dp_refund_block",
        payment=paid,
        coach=paid.coach,
        status="needs_response",
        amount=paid.amount_total,
        currency="CHF",
    )

    with pytest.raises(RefundRefused) as refused:
        refund_issue(
            payment_id=paid.pk, policy="standard", initiator="staff", reason="client asked"
        )

    assert refused.value.code == "disputed"
    assert not Refund.objects.exists() and not _refund_rows(paid)


def test_stripe_down_leaves_the_refund_pending_and_reconciliation_books_it_once(paid, monkeypatch):
    real = gateway.refund_create
    calls = []

    def down(**kwargs):
        calls.append(kwargs["idempotency_key"])
        raise GatewayUnavailable("Stripe is unreachable.")

    monkeypatch.setattr(gateway, "refund_create", down)
    with pytest.raises(GatewayUnavailable):
        refund_issue(
            payment_id=paid.pk, amount=Decimal("100.00"), policy="standard",
            initiator="coach", reason="approved", notify=False,
        )  # fmt: skip
    [attempt] = Refund.objects.all()
    assert attempt.status == Refund.Status.PENDING
    paid.refresh_from_db()
    assert paid.amount_refunded == 0
    # The pending 100.00 is held: only 50.00 more may be refunded meanwhile.
    with pytest.raises(RefundRefused):
        refund_issue(
            payment_id=paid.pk, amount=Decimal("60.00"), policy="standard",
            initiator="staff", reason="more", notify=False,
        )  # fmt: skip

    def up(**kwargs):
        calls.append(kwargs["idempotency_key"])
        return real(**kwargs)

    monkeypatch.setattr(gateway, "refund_create", up)
    payments_reconcile()
    payments_reconcile()

    attempt.refresh_from_db()
    paid.refresh_from_db()
    assert attempt.status == Refund.Status.SUCCEEDED
    assert paid.amount_refunded == Decimal("100.00") and len(_refund_rows(paid)) == 1
    assert calls == [attempt.idempotency_key, attempt.idempotency_key]


def test_the_entry_point_retries_a_pending_attempt_instead_of_refunding_again(paid, monkeypatch):
    """A seat/booking sweep calls payment_refund again with the amount it still thinks owed:
    the pending attempt is finished, nothing more is refunded."""
    real = gateway.refund_create
    monkeypatch.setattr(
        gateway, "refund_create", lambda **kw: (_ for _ in ()).throw(GatewayUnavailable("down"))
    )
    with pytest.raises(GatewayUnavailable):
        payment_refund(payment_id=paid.pk, amount=Decimal("40.00"), reason="seat", notify=False)
    monkeypatch.setattr(gateway, "refund_create", real)

    payment_refund(payment_id=paid.pk, amount=Decimal("40.00"), reason="seat", notify=False)

    paid.refresh_from_db()
    assert paid.amount_refunded == Decimal("40.00") and len(_refund_rows(paid)) == 1


def test_a_stripe_refusal_fails_the_attempt_and_frees_its_amount(paid, monkeypatch):
    def refuse(**kwargs):
        raise PaymentError("Charge already refunded.", code="charge_already_refunded")

    monkeypatch.setattr(gateway, "refund_create", refuse)
    with pytest.raises(PaymentError):
        refund_issue(
            payment_id=paid.pk, policy="standard", initiator="staff", reason="x", notify=False
        )

    assert Refund.objects.get().status == Refund.Status.FAILED
    monkeypatch.undo()
    refund_issue(payment_id=paid.pk, policy="standard", initiator="staff", reason="x", notify=False)
    paid.refresh_from_db()
    assert paid.status == Payment.Status.REFUNDED


def test_a_payment_recorded_without_an_intent_fails_its_refund_attempt_and_keeps_its_books(paid):
    # A row made by hand (admin, import) with no PaymentIntent: nothing at Stripe to refund.
    Payment.objects.filter(pk=paid.pk).update(stripe_payment_intent_id=None)

    with pytest.raises(PaymentError) as refused:
        refund_issue(payment_id=paid.pk, policy="standard", initiator="staff", reason="x")

    assert refused.value.code == "no_intent"
    assert Refund.objects.get().status == Refund.Status.FAILED
    assert Refund.objects.get().last_error.startswith("no_intent:")
    paid.refresh_from_db()
    assert paid.amount_refunded == Decimal("0.00")
    assert paid.status == Payment.Status.COMPLETED
    assert _refund_rows(paid) == []
