"""Refund requests: the client asks (window, amount, one at a time, not on a disputed
payment), the coach approves all or part or declines, silence and declines escalate to staff,
staff decide with a policy and a note; every step is an audit row and notifies both sides;
a Stripe outage during an approved refund leaves it pending until reconciliation."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from bookings.models import Booking
from notifications.models import Notification
from payments import gateway
from payments.errors import GatewayUnavailable
from payments.models import Dispute, Payment, PayoutItem, Refund, RefundRequest, Transaction
from payments.refunds.requests import refund_requests_escalate_due
from payments.services import payments_reconcile
from payments.tests.connect_helpers import delivered_session, ready_coach

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}
CREATE = "/payments/refund-requests/"


@pytest.fixture
def paid(localstripe):
    """A CHF 150.00 1:1 session that ended an hour ago (coach share 117.95, fee 20.81)."""
    return delivered_session(ready_coach(localstripe["base"]))


def _booking(payment):
    return Booking.objects.get(payment=payment)


def _ask(client, payment, **fields):
    client.force_login(payment.payer)
    body = {"booking_id": _booking(payment).pk, "amount": "40.00", "reason": "technical"}
    body.update(fields)
    return client.post(CREATE, json.dumps(body), content_type="application/json", **JSON)


def _as(client, user, url, **data):
    client.force_login(user)
    return client.post(url, data, **JSON)


def test_the_client_asks_and_the_coach_approves_part_standard_policy(
    client, paid, django_capture_on_commit_callbacks
):
    created = _ask(client, paid, amount="60.00", message="The sound cut out for half the session.")
    assert created.status_code == 201
    request_id = created.json()["id"]
    assert created.json()["status"] == "open"

    with django_capture_on_commit_callbacks(execute=True):
        approved = _as(
            client,
            paid.coach.user,
            reverse("payments:refund_request_approve", args=[request_id]),
            amount="40.00",
        )

    assert approved.status_code == 200 and approved.json()["status"] == "partially_approved"
    paid.refresh_from_db()
    assert paid.status == Payment.Status.PARTIALLY_REFUNDED
    assert paid.amount_refunded == Decimal("40.00")
    [row] = Transaction.objects.filter(payment=paid, kind=Transaction.Kind.REFUND)
    assert (row.policy, row.initiator, row.actor) == ("standard", "coach", paid.coach.user)
    # 117.95 * 40 / 150 = 31.45 comes out of the coach's share.
    assert PayoutItem.objects.get(payment=paid).refund_deduction == Decimal("31.45")
    request = RefundRequest.objects.get(pk=request_id)
    assert [e.action for e in request.events.all()] == ["opened", "partially_approved"]
    for user in (paid.payer, paid.coach.user):
        types = set(Notification.objects.filter(recipient=user).values_list("type", flat=True))
        assert {"refund_request_opened", "refund_request_approved"} <= types
    page = client.get(reverse("payments:refund_request_detail", args=[request_id]))
    assert "Partially approved" in page.content.decode()


def test_declined_escalated_and_resolved_by_staff_with_goodwill_coach_untouched(
    client, paid, django_capture_on_commit_callbacks
):
    request_id = _ask(client, paid, amount="20.00", reason="quality").json()["id"]
    declined = _as(
        client,
        paid.coach.user,
        reverse("payments:refund_request_decline", args=[request_id]),
        reason="The session ran the full hour as agreed.",
    )
    escalated = _as(
        client, paid.payer, reverse("payments:refund_request_escalate", args=[request_id])
    )
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        decided = client.post(
            reverse("admin:payments_refundrequest_resolve", args=[request_id]),
            {"amount": "15.00", "policy": "goodwill", "note": "Goodwill for the trouble."},
        )

    assert declined.json()["status"] == "declined" and escalated.json()["status"] == "escalated"
    assert decided.status_code == 302
    request = RefundRequest.objects.get(pk=request_id)
    assert request.status == "resolved" and request.decided_policy == "goodwill"
    paid.refresh_from_db()
    assert paid.amount_refunded == Decimal("15.00")
    assert PayoutItem.objects.get(payment=paid).refund_deduction == 0
    assert [e.action for e in request.events.all()] == [
        "opened",
        "declined",
        "escalated",
        "resolved",
    ]
    # Final: a second decision is refused.
    again = client.post(
        reverse("admin:payments_refundrequest_resolve", args=[request_id]),
        {"amount": "5.00", "policy": "standard", "note": "again"},
    )
    assert again.status_code == 200 and "Already decided" in again.content.decode()
    assert Payment.objects.get(pk=paid.pk).amount_refunded == Decimal("15.00")


def test_silence_escalates_after_the_coach_response_hours(client, paid, settings):
    request_id = _ask(client, paid).json()["id"]
    due = RefundRequest.objects.get(pk=request_id).coach_due_at

    early = refund_requests_escalate_due(now=due - dt.timedelta(minutes=1))
    late = refund_requests_escalate_due(now=due + dt.timedelta(minutes=1))

    assert (early, late) == (0, 1)
    assert RefundRequest.objects.get(pk=request_id).status == "escalated"
    assert Notification.objects.filter(
        recipient=paid.coach.user, type="refund_request_escalated"
    ).exists()


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"amount": "150.01"}, 400),
        ({"amount": "-1"}, 400),
        ({"amount": "abc"}, 400),
        ({"amount": "1.234"}, 400),
        ({"reason": "because"}, 400),
    ],
)
def test_bad_input_is_refused_and_nothing_is_created(client, paid, fields, code):
    response = _ask(client, paid, **fields)

    assert response.status_code == code
    assert not RefundRequest.objects.exists()


def test_someone_elses_payment_is_404(client, paid):
    stranger = UserFactory()
    client.force_login(stranger)
    for body in (
        {"booking_id": _booking(paid).pk},
        {"payment_intent_id": paid.stripe_payment_intent_id},
    ):
        response = client.post(
            CREATE,
            json.dumps({**body, "amount": "10.00", "reason": "other"}),
            content_type="application/json",
            **JSON,
        )
        assert response.status_code == 404
    assert not RefundRequest.objects.exists()


def test_a_second_request_while_one_is_open_is_409(client, paid):
    assert _ask(client, paid).status_code == 201
    second = _ask(client, paid, amount="10.00")

    assert second.status_code == 409 and second.json()["code"] == "already_open"
    assert RefundRequest.objects.count() == 1


def test_after_the_window_is_400(client, paid, settings):
    booking = _booking(paid)
    ended = timezone.now() - dt.timedelta(days=settings.REFUND_REQUEST_DAYS, hours=1)
    Booking.objects.filter(pk=booking.pk).update(start=ended - dt.timedelta(hours=1), end=ended)

    response = _ask(client, paid)

    assert response.status_code == 400 and response.json()["code"] == "window_closed"
    assert not RefundRequest.objects.exists()


def test_before_the_service_the_cancellation_policy_applies(client, paid):
    booking = _booking(paid)
    start = timezone.now() + dt.timedelta(days=2)
    Booking.objects.filter(pk=booking.pk).update(start=start, end=start + dt.timedelta(hours=1))

    response = _ask(client, paid)

    assert response.status_code == 400 and "cancel" in response.json()["message"]


def test_a_disputed_payment_is_409(client, paid):
    Dispute.objects.create(
        stripe_dispute_id="dp_rr",
        payment=paid,
        coach=paid.coach,
        status="needs_response",
        amount=paid.amount_total,
        currency="CHF",
    )

    response = _ask(client, paid)

    assert response.status_code == 409 and response.json()["code"] == "disputed"
    assert not RefundRequest.objects.exists()


def test_a_coach_approving_someone_elses_request_is_403(client, paid, localstripe):
    request_id = _ask(client, paid).json()["id"]
    other_coach = ready_coach(localstripe["base"])
    # Another coach acting on it: 403 (the contract); its client approving: 403;
    # a stranger reading it: 404.
    as_other = _as(
        client, other_coach.user, reverse("payments:refund_request_approve", args=[request_id])
    )
    as_client = _as(
        client, paid.payer, reverse("payments:refund_request_approve", args=[request_id])
    )

    client.force_login(other_coach.user)
    read_by_other = client.get(reverse("payments:refund_request_detail", args=[request_id]), **JSON)

    assert as_other.status_code == 403 and read_by_other.status_code == 404
    assert as_client.status_code == 403
    assert RefundRequest.objects.get(pk=request_id).status == "open"
    assert not Refund.objects.exists()


def test_stripe_failing_during_an_approved_refund_stays_pending_and_reconcile_books_it_once(
    client, paid, monkeypatch, django_capture_on_commit_callbacks
):
    request_id = _ask(client, paid).json()["id"]
    real = gateway.refund_create

    def down(**kwargs):
        raise GatewayUnavailable("Stripe is unreachable.")

    monkeypatch.setattr(gateway, "refund_create", down)
    with django_capture_on_commit_callbacks(execute=True):
        approved = _as(
            client,
            paid.coach.user,
            reverse("payments:refund_request_approve", args=[request_id]),
        )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    request = RefundRequest.objects.get(pk=request_id)
    assert request.refund.status == Refund.Status.PENDING
    assert Payment.objects.get(pk=paid.pk).amount_refunded == 0

    monkeypatch.setattr(gateway, "refund_create", real)
    payments_reconcile()
    payments_reconcile()

    paid.refresh_from_db()
    assert paid.amount_refunded == Decimal("40.00")
    assert Transaction.objects.filter(payment=paid, kind=Transaction.Kind.REFUND).count() == 1
    assert RefundRequest.objects.get(pk=request_id).refund.status == Refund.Status.SUCCEEDED


def test_the_thread_takes_messages_from_both_sides_and_hides_from_strangers(client, paid):
    request_id = _ask(client, paid).json()["id"]
    url = reverse("payments:refund_request_message", args=[request_id])

    from_coach = _as(client, paid.coach.user, url, body="Can you tell me more?")
    from_stranger = _as(client, UserFactory(), url, body="hi")
    empty = _as(client, paid.payer, url, body="   ")

    assert from_coach.status_code == 200
    assert from_stranger.status_code == 404 and empty.status_code == 400
    client.force_login(paid.payer)
    page = client.get(reverse("payments:refund_request_detail", args=[request_id]))
    assert "Can you tell me more?" in page.content.decode()


def test_the_html_form_creates_and_redirects_to_the_thread(client, paid):
    client.force_login(paid.payer)
    booking = _booking(paid)
    form = client.get(reverse("payments:refund_request_new") + f"?booking_id={booking.pk}")
    assert form.status_code == 200 and 'name="amount"' in form.content.decode()

    response = client.post(
        CREATE, {"booking_id": booking.pk, "amount": "25.00", "reason": "other", "message": "x"}
    )

    request = RefundRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == request.get_absolute_url()


def test_the_coach_inbox_lists_waiting_requests_with_their_deadline(client, paid):
    request_id = _ask(client, paid).json()["id"]
    client.force_login(paid.coach.user)

    page = client.get("/coach/refunds/")

    html = page.content.decode()
    assert page.status_code == 200 and f'data-refund-request="{request_id}"' in html
    assert "answer by" in html
    client.force_login(paid.payer)
    assert client.get("/coach/refunds/").status_code == 404


def test_my_bookings_offers_a_refund_request_on_a_past_paid_session_then_links_it(client, paid):
    client.force_login(paid.payer)
    booking = _booking(paid)

    before = client.get("/bookings/mine/").content.decode()
    request_id = _ask(client, paid).json()["id"]
    after = client.get("/bookings/mine/").content.decode()

    assert f"/payments/refund-requests/new/?booking_id={booking.pk}" in before
    assert f"/payments/refund-requests/{request_id}/" in after
    assert "Refund request: Open (coach to answer)" in after


def test_the_command_center_counts_escalated_requests(client, paid):
    from core.command_center import command_center_rows

    request_id = _ask(client, paid).json()["id"]
    due = RefundRequest.objects.get(pk=request_id).coach_due_at
    before = {row.key: row for row in command_center_rows()}["refund_requests_escalated"]
    refund_requests_escalate_due(now=due + dt.timedelta(minutes=1))
    after = {row.key: row for row in command_center_rows()}["refund_requests_escalated"]

    assert (before.count, after.count) == (0, 1)
    assert "status__exact=escalated" in after.url


def test_a_webinar_seat_is_asked_for_by_registration_id_after_the_webinar(client):
    from payments.tests.factories import PaymentFactory
    from webinars.tests.factories import RegistrationFactory, WebinarFactory

    webinar = WebinarFactory(slots__starts_in=dt.timedelta(days=-2))
    payment = PaymentFactory(webinar=True, coach=webinar.coach, status=Payment.Status.COMPLETED)
    registration = RegistrationFactory(webinar=webinar, user=payment.payer, payment=payment)
    upcoming = WebinarFactory(coach=webinar.coach)
    later_payment = PaymentFactory(
        webinar=True, coach=webinar.coach, payer=payment.payer, status=Payment.Status.COMPLETED
    )
    later = RegistrationFactory(webinar=upcoming, user=payment.payer, payment=later_payment)
    client.force_login(payment.payer)

    def ask(registration_id, amount="120.00"):
        body = {"registration_id": registration_id, "amount": amount, "reason": "not_delivered"}
        return client.post(CREATE, json.dumps(body), content_type="application/json", **JSON)

    too_much = ask(registration.pk, "120.01")
    not_started = ask(later.pk)
    created = ask(registration.pk)
    client.force_login(UserFactory())
    stranger = ask(registration.pk)

    assert too_much.status_code == 400 and not_started.status_code == 400
    assert created.status_code == 201 and stranger.status_code == 404
    request = RefundRequest.objects.get()
    assert (request.payment, request.coach, request.purchase_label) == (
        payment,
        webinar.coach,
        webinar.title,
    )


def test_the_staff_queue_lists_escalated_first_then_oldest_first(client):
    from payments.tests.factories import PaymentFactory

    def request(status):
        payment = PaymentFactory(status=Payment.Status.COMPLETED)
        return RefundRequest.objects.create(
            payment=payment,
            client=payment.payer,
            coach=payment.coach,
            purchase_label=f"label-{status}",
            amount=Decimal("10.00"),
            currency="CHF",
            reason="other",
            status=status,
            coach_due_at=timezone.now(),
        )

    old_open = request("open")
    done = request("resolved")
    escalated = request("escalated")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    html = client.get(reverse("admin:payments_refundrequest_changelist")).content.decode()

    positions = [html.index(f"label-{r.status}") for r in (escalated, old_open, done)]
    assert positions == sorted(positions)
