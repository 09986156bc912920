"""The Connect stand-in mounted in our localstripe launcher, driven through the official
Stripe SDK (our payouts gateway) and raw HTTP: Stripe's shapes, lists, errors, idempotency,
the onboarding page, signed Connect webhooks and persistence across a restart."""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import requests

from accounts.tests.factories import UserFactory
from conftest import ROOT, free_port, wait_for_http
from payments import gateway
from payments.errors import PaymentError
from payments.payouts import gateway as connect
from payments.tests.connect_helpers import (
    account_balance,
    api,
    complete_onboarding,
    connect_events,
    drain_balance,
    onboarded_account,
    succeeded_charge,
)

pytestmark = pytest.mark.django_db


def test_account_is_controller_based_express_and_not_ready_until_onboarded(localstripe):
    account = connect.account_create(
        email="maya@example.com", coach_id=7, country="CH", idempotency_key="acct-7"
    )

    assert account["id"].startswith("acct_")
    assert account["object"] == "account"
    assert account["controller"]["stripe_dashboard"]["type"] == "express"
    assert account["controller"]["fees"]["payer"] == "application"
    assert account["capabilities"]["transfers"] == "inactive"
    assert account["details_submitted"] is False
    assert account["payouts_enabled"] is False
    assert "external_account" in account["requirements"]["currently_due"]
    assert connect.account_retrieve(account["id"])["metadata"] == {"coach_id": "7"}


def test_unknown_account_is_stripes_resource_missing_error(localstripe):
    response = api(localstripe["base"], "GET", "/v1/accounts/acct_nope")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "resource_missing"
    assert response.json()["error"]["type"] == "invalid_request_error"
    with pytest.raises(PaymentError):
        connect.account_retrieve("acct_nope")


def test_onboarding_page_works_without_api_key_and_completing_it_makes_the_account_ready(
    localstripe,
):
    base = localstripe["base"]
    account = connect.account_create(
        email="c@example.com", coach_id=1, country="CH", idempotency_key="acct-onb"
    )
    link = connect.account_link_create(
        account_id=account["id"],
        refresh_url="http://127.0.0.1:9/refresh",
        return_url="http://127.0.0.1:9/return",
    )

    page = requests.get(link["url"], timeout=5)  # no Authorization header
    assert page.status_code == 200
    assert "Complete onboarding" in page.text and "Leave for later" in page.text
    assert "<script" not in page.text

    done = requests.post(link["url"], data={"action": "complete"}, allow_redirects=False)
    assert done.status_code == 303
    assert done.headers["Location"] == "http://127.0.0.1:9/return"
    ready = connect.account_retrieve(account["id"])
    assert ready["details_submitted"] and ready["payouts_enabled"]
    assert ready["capabilities"]["transfers"] == "active"
    assert ready["requirements"]["currently_due"] == []
    [event] = connect_events(base, "account.updated")
    assert event["account"] == account["id"]
    assert event["data"]["object"]["payouts_enabled"] is True

    # Links are single-use: a second visit goes to refresh_url.
    again = requests.get(link["url"], allow_redirects=False, timeout=5)
    assert again.status_code == 302
    assert again.headers["Location"] == "http://127.0.0.1:9/refresh"


def test_leave_for_later_changes_nothing(localstripe):
    account = connect.account_create(
        email="c@example.com", coach_id=1, country="CH", idempotency_key="acct-later"
    )

    response = complete_onboarding(localstripe["base"], account["id"], action="later")

    assert response.status_code == 303
    assert connect.account_retrieve(account["id"])["details_submitted"] is False
    assert connect_events(localstripe["base"], "account.updated") == []


def test_login_link_opens_the_express_dashboard_page(localstripe):
    account = onboarded_account(localstripe["base"])

    link = connect.login_link_create(account_id=account["id"])

    assert link["object"] == "login_link"
    assert requests.get(link["url"], timeout=5).status_code == 200


def test_same_idempotency_key_replays_and_other_parameters_are_refused(localstripe):
    first = connect.account_create(
        email="a@example.com", coach_id=1, country="CH", idempotency_key="coach-account-1"
    )
    replay = connect.account_create(
        email="a@example.com", coach_id=1, country="CH", idempotency_key="coach-account-1"
    )
    assert replay["id"] == first["id"]
    listed = api(localstripe["base"], "GET", "/v1/accounts").json()
    assert [a["id"] for a in listed["data"]] == [first["id"]]

    response = api(
        localstripe["base"],
        "POST",
        "/v1/accounts",
        data={"type": "express", "capabilities[transfers][requested]": "true"},
        headers={"Idempotency-Key": "coach-account-1"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "idempotency_error"


def test_transfers_need_a_succeeded_charge_of_ours_and_list_by_group_and_destination(
    localstripe,
):
    base = localstripe["base"]
    account = onboarded_account(base)
    other = onboarded_account(base, email="o@example.com")
    charge = succeeded_charge(UserFactory())

    with pytest.raises(PaymentError) as missing_charge:
        connect.transfer_create(
            amount_minor=1000,
            currency="CHF",
            destination=account["id"],
            source_transaction="ch_doesnotexist",
            transfer_group="booking_1",
            metadata={},
            idempotency_key="t-missing",
        )
    assert missing_charge.value.code == "resource_missing"

    made = connect.transfer_create(
        amount_minor=7650,
        currency="CHF",
        destination=account["id"],
        source_transaction=charge,
        transfer_group="booking_1",
        metadata={"payout_item_id": "1"},
        idempotency_key="t-1",
    ).raw
    connect.transfer_create(
        amount_minor=500,
        currency="CHF",
        destination=other["id"],
        source_transaction=charge,
        transfer_group="booking_2",
        metadata={},
        idempotency_key="t-2",
    )

    assert made["object"] == "transfer" and made["id"].startswith("tr_")
    assert made["source_transaction"] == charge
    assert made["reversals"]["total_count"] == 0
    assert [t.id for t in connect.transfer_list(transfer_group="booking_1")] == [made["id"]]
    by_destination = api(base, "GET", "/v1/transfers", params={"destination": other["id"]}).json()
    assert [t["transfer_group"] for t in by_destination["data"]] == ["booking_2"]
    page = api(base, "GET", "/v1/transfers", params={"limit": 1}).json()
    assert page["has_more"] is True and len(page["data"]) == 1
    assert account_balance(base, account["id"]) == 7650

    with pytest.raises(PaymentError) as over:
        connect.transfer_create(
            amount_minor=10000,
            currency="CHF",
            destination=account["id"],
            source_transaction=charge,
            transfer_group="booking_1",
            metadata={},
            idempotency_key="t-3",
        )
    assert over.value.code == "transfer_source_balance_parameters_mismatch"


def test_transfer_to_an_account_not_onboarded_is_refused(localstripe):
    account = connect.account_create(
        email="c@example.com", coach_id=1, country="CH", idempotency_key="acct-x"
    )
    with pytest.raises(PaymentError) as refused:
        connect.transfer_create(
            amount_minor=100,
            currency="CHF",
            destination=account["id"],
            source_transaction="",
            transfer_group="g",
            metadata={},
            idempotency_key="t-x",
        )
    assert refused.value.code == "insufficient_capabilities_for_transfer"


def test_reversal_within_the_balance_succeeds_and_beyond_it_fails_with_stripes_error(localstripe):
    base = localstripe["base"]
    account = onboarded_account(base)
    transfer = connect.transfer_create(
        amount_minor=8000,
        currency="CHF",
        destination=account["id"],
        source_transaction=succeeded_charge(UserFactory()),
        transfer_group="booking_9",
        metadata={},
        idempotency_key="t-9",
    ).raw

    reversal = connect.transfer_reversal_create(
        transfer_id=transfer["id"], amount_minor=3000, metadata={}, idempotency_key="r-1"
    ).raw
    assert reversal["object"] == "transfer_reversal" and reversal["amount"] == 3000
    assert account_balance(base, account["id"]) == 5000
    [event] = connect_events(base, "transfer.reversed")
    assert event["data"]["object"]["amount_reversed"] == 3000

    drain_balance(base, account["id"])  # paid out to the coach's bank
    response = api(base, "POST", f"/v1/transfers/{transfer['id']}/reversals", data={"amount": 1})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "balance_insufficient"


def test_payment_intents_accept_transfer_group(localstripe):
    from payments.services import customer_ensure

    intent = gateway.client().v1.payment_intents.create(
        params={
            "amount": 1000,
            "currency": "chf",
            "customer": customer_ensure(user=UserFactory()),
            "transfer_group": "registration_5",
        }
    )
    assert intent.transfer_group == "registration_5"


class _Receiver(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.headers["Stripe-Signature"], body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_connect_events_are_posted_signed_with_the_connect_secret(localstripe):
    port = free_port()
    server = HTTPServer(("127.0.0.1", port), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Receiver.received = []
    base = localstripe["base"]
    requests.post(
        f"{base}/_config/connect/webhook",
        json={"url": f"http://127.0.0.1:{port}/hook", "secret": "whsec_connect_test"},
    )
    try:
        onboarded_account(base)
        deadline = __import__("time").monotonic() + 10
        while not _Receiver.received and __import__("time").monotonic() < deadline:
            __import__("time").sleep(0.05)
    finally:
        requests.post(
            f"{base}/_config/connect/webhook", json={"url": "http://127.0.0.1:9/", "secret": "x"}
        )
        server.shutdown()
    [(signature, body)] = _Receiver.received
    parts = dict(part.split("=", 1) for part in signature.split(","))
    expected = hmac.new(
        b"whsec_connect_test", f"{parts['t']}.".encode() + body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(parts["v1"], expected)
    assert json.loads(body)["type"] == "account.updated"


def test_connect_data_survives_a_restart(tmp_path, settings):
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "payments.localstripe",
        "--port",
        str(port),
        "--var-dir",
        str(tmp_path),
    ]
    base = f"http://127.0.0.1:{port}"
    settings.STRIPE_API_BASE = base
    settings.STRIPE_SECRET_KEY = "sk_test_localstripe"

    def start():
        proc = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_for_http(f"{base}/js.stripe.com/v3/")
        return proc

    proc = start()
    try:
        account = connect.account_create(
            email="p@example.com", coach_id=3, country="CH", idempotency_key="persist-1"
        )
        complete_onboarding(base, account["id"])
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    proc = start()
    try:
        again = connect.account_retrieve(account["id"])
        replay = connect.account_create(
            email="p@example.com", coach_id=3, country="CH", idempotency_key="persist-1"
        )
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert again["payouts_enabled"] is True
    assert replay["id"] == account["id"]
