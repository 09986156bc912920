"""The typed Stripe results read both shapes Stripe and localstripe send."""

from __future__ import annotations

from payments.gateway import IntentResult, PaymentErrorInfo, RefundResult
from payments.payouts.gateway import ReversalResult, TransferResult


def test_an_intent_result_reads_the_fields_by_name_and_keeps_the_stripe_object():
    obj = {
        "id": "pi_1",
        "status": "requires_payment_method",
        "client_secret": "pi_1_secret",
        "amount": 15000,
        "currency": "chf",
        "capture_method": "manual",
        "customer": "cus_1",
        "metadata": {"booking_id": "7"},
        "latest_charge": "ch_1",
        "last_payment_error": {"code": "card_declined", "message": "Declined."},
    }
    intent = IntentResult.from_stripe(obj)
    assert (intent.id, intent.status, intent.amount_minor, intent.currency) == (
        "pi_1",
        "requires_payment_method",
        15000,
        "chf",
    )
    assert intent.latest_charge_id == "ch_1" and intent.metadata == {"booking_id": "7"}
    assert intent.last_payment_error == PaymentErrorInfo("card_declined", "Declined.", "")
    assert intent.raw is obj


def test_an_intent_with_an_embedded_charge_and_no_error_reads_the_same():
    """localstripe embeds the charge instead of sending its id."""
    intent = IntentResult.from_stripe(
        {"id": "pi_2", "status": "succeeded", "latest_charge": {"id": "ch_2"}}
    )
    assert intent.latest_charge_id == "ch_2"
    assert intent.last_payment_error is None and intent.amount_minor == 0


def test_refund_transfer_and_reversal_results():
    refund = RefundResult.from_stripe({"id": "re_1", "amount": 500, "payment_intent": "pi_1"})
    assert (refund.id, refund.amount_minor, refund.payment_intent_id) == ("re_1", 500, "pi_1")
    transfer = TransferResult.from_stripe(
        {"id": "tr_1", "amount": 900, "metadata": {"payout_item_id": "3"}}
    )
    assert transfer.metadata["payout_item_id"] == "3" and transfer.amount_minor == 900
    reversal = ReversalResult.from_stripe({"id": "trr_1", "amount": 100, "transfer": "tr_1"})
    assert (reversal.id, reversal.transfer_id) == ("trr_1", "tr_1")
