"""The stand-in's disputes (localstripe has none) through the official Stripe SDK (our
gateway): the dispute test card creates one and sends a signed `charge.dispute.created` to
the platform endpoint; retrieve, list (Stripe's pagination and errors), evidence submitted
once, close; and our services on top of it (submit once, accept)."""

from __future__ import annotations

import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import requests
import stripe

from accounts.tests.factories import UserFactory
from conftest import free_port
from payments import gateway
from payments.disputes.errors import DisputeActionRefused
from payments.disputes.services import (
    dispute_accept,
    dispute_evidence_stage,
    dispute_evidence_submit,
    dispute_sync,
)
from payments.errors import PaymentError
from payments.models import Dispute, Payment, PayoutItem
from payments.services import customer_ensure
from payments.tests.connect_helpers import api, connect_events
from payments.tests.factories import PaymentFactory
from payments.tests.stripe_helpers import post_event, saved_card

pytestmark = pytest.mark.django_db
RECEIVER_SECRET = "whsec_dispute_receiver"


def _disputed_intent(user, amount=Decimal("150.00")) -> dict:
    card = saved_card(user, "pm_card_createDispute")
    intent = gateway.payment_intent_create(
        amount=amount,
        currency="CHF",
        customer_id=customer_ensure(user=user),
        metadata={},
        idempotency_key=f"t-pi-{time.time_ns()}",
    ).raw
    confirmed = gateway.payment_intent_confirm_with(
        payment_intent_id=intent["id"], payment_method_id=card, idempotency_key=f"t-{intent['id']}"
    ).raw
    assert confirmed["status"] == "succeeded"
    return confirmed


def _our_payment(intent: dict) -> Payment:
    return PaymentFactory(
        status=Payment.Status.COMPLETED,
        stripe_payment_intent_id=intent["id"],
        stripe_charge_id=gateway.charge_id_of(intent),
    )


def _dispute_of(intent: dict) -> dict:
    [dispute] = gateway.dispute_list(payment_intent=intent["id"])
    return dispute


class _Receiver(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.headers["Stripe-Signature"], body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_the_dispute_test_card_creates_a_dispute_and_sends_a_signed_created_event(localstripe):
    base = localstripe["base"]
    port = free_port()
    server = HTTPServer(("127.0.0.1", port), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Receiver.received = []
    requests.post(
        f"{base}/_config/webhooks/dispute-receiver",
        json={
            "url": f"http://127.0.0.1:{port}/",
            "secret": RECEIVER_SECRET,
            "events": ["charge.dispute.created"],
        },
        timeout=5,
    )
    try:
        intent = _disputed_intent(UserFactory())
        deadline = time.monotonic() + 10
        while not _Receiver.received and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        server.shutdown()

    [(signature, body)] = _Receiver.received
    event = stripe.Webhook.construct_event(body, signature, RECEIVER_SECRET)
    assert event["type"] == "charge.dispute.created"
    dispute = event["data"]["object"]
    assert dispute["object"] == "dispute" and dispute["id"].startswith("dp_")
    assert dispute["payment_intent"] == intent["id"]
    assert dispute["charge"] == gateway.charge_id_of(intent)
    assert dispute["amount"] == 15000 and dispute["currency"] == "chf"
    assert dispute["status"] == "needs_response" and dispute["reason"] == "fraudulent"
    assert dispute["evidence_details"]["due_by"] > time.time()
    assert gateway.dispute_retrieve(dispute["id"])["status"] == "needs_response"


def test_the_stand_ins_event_through_our_webhook_marks_the_payment_disputed(localstripe, client):
    intent = _disputed_intent(UserFactory())
    payment = _our_payment(intent)
    [event] = [
        e
        for e in connect_events(localstripe["base"], "charge.dispute.created")
        if e["data"]["object"]["payment_intent"] == intent["id"]
    ]

    assert post_event(client, event).status_code == 200

    payment.refresh_from_db()
    assert payment.status == Payment.Status.DISPUTED
    assert PayoutItem.objects.get(payment=payment).status == PayoutItem.Status.FROZEN
    assert Dispute.objects.get().stripe_dispute_id == event["data"]["object"]["id"]


def test_evidence_is_submitted_once(localstripe):
    intent = _disputed_intent(UserFactory())
    _our_payment(intent)
    record = dispute_sync(obj=_dispute_of(intent))
    staff = UserFactory(is_staff=True, is_superuser=True)

    dispute_evidence_stage(
        dispute_id=record.pk,
        evidence={"service_date": "2026-11-30", "service_documentation": "Attended 60 min."},
        staff=staff,
    )
    record = dispute_evidence_submit(dispute_id=record.pk, staff=staff)

    at_stripe = gateway.dispute_retrieve(record.stripe_dispute_id)
    assert at_stripe["status"] == "under_review"
    assert at_stripe["evidence_details"]["submission_count"] == 1
    assert at_stripe["evidence"]["service_date"] == "2026-11-30"
    assert record.status == "under_review" and record.submitted_at is not None
    with pytest.raises(DisputeActionRefused):
        dispute_evidence_submit(dispute_id=record.pk, staff=staff)
    again = api(
        localstripe["base"],
        "POST",
        f"/v1/disputes/{record.stripe_dispute_id}",
        data={"evidence[uncategorized_text]": "more"},
    )
    assert again.status_code == 400
    assert again.json()["error"]["type"] == "invalid_request_error"
    assert (
        gateway.dispute_retrieve(record.stripe_dispute_id)["evidence_details"]["submission_count"]
        == 1
    )


def test_submitting_winning_evidence_closes_the_dispute_won_like_stripes_test_mode(localstripe):
    intent = _disputed_intent(UserFactory())
    dispute = _dispute_of(intent)

    gateway.dispute_update(
        dispute_id=dispute["id"],
        evidence={"uncategorized_text": "winning_evidence"},
        submit=True,
        idempotency_key="t-win",
    )

    assert gateway.dispute_retrieve(dispute["id"])["status"] == "won"
    closed = connect_events(localstripe["base"], "charge.dispute.closed")
    assert closed[0]["data"]["object"]["status"] == "won"
    assert connect_events(localstripe["base"], "charge.dispute.funds_reinstated")


def test_accepting_closes_the_dispute_as_lost_and_a_second_close_is_refused(localstripe):
    intent = _disputed_intent(UserFactory())
    payment = _our_payment(intent)
    record = dispute_sync(obj=_dispute_of(intent))
    staff = UserFactory(is_staff=True, is_superuser=True)

    record = dispute_accept(dispute_id=record.pk, staff=staff)

    assert record.status == "lost" and record.outcome == Dispute.Outcome.LOST
    assert record.coach_loss == payment.coach_share  # the whole charge, proportional
    with pytest.raises(DisputeActionRefused):
        dispute_accept(dispute_id=record.pk, staff=staff)
    with pytest.raises(PaymentError):
        gateway.dispute_close(dispute_id=record.stripe_dispute_id, idempotency_key="t-other")


def test_listing_disputes_pages_like_stripe_and_unknown_ids_are_resource_missing(localstripe):
    base = localstripe["base"]
    user = UserFactory()
    intents = [_disputed_intent(user, Decimal("10.00")) for _ in range(3)]

    first = api(base, "GET", "/v1/disputes", params={"limit": 2}).json()
    rest = api(
        base, "GET", "/v1/disputes", params={"limit": 2, "starting_after": first["data"][-1]["id"]}
    ).json()

    assert first["object"] == "list" and first["url"] == "/v1/disputes"
    assert len(first["data"]) == 2 and first["has_more"] is True
    assert len(rest["data"]) == 1 and rest["has_more"] is False
    assert rest["data"][0]["payment_intent"] == intents[0]["id"]  # newest first
    assert len(gateway.dispute_list(limit=1)) == 3  # the gateway follows every page
    missing = api(base, "GET", "/v1/disputes/dp_nope")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "resource_missing"
    bad_limit = api(base, "GET", "/v1/disputes", params={"limit": 0})
    assert bad_limit.status_code == 400
    with pytest.raises(PaymentError):
        gateway.dispute_retrieve("dp_nope")


def test_sync_disputes_repairs_a_lost_webhook(localstripe):
    from io import StringIO

    from django.core.management import call_command

    intent = _disputed_intent(UserFactory())
    payment = _our_payment(intent)  # no webhook reached us
    out = StringIO()

    call_command("sync_disputes", stdout=out)
    call_command("sync_disputes", charge=payment.stripe_charge_id, stdout=out)

    payment.refresh_from_db()
    assert payment.status == Payment.Status.DISPUTED
    assert Dispute.objects.get().frozen_at is not None
    assert "needs_response (open)" in out.getvalue()
