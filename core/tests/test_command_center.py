"""The staff Command Center: platform staff only; real counts from PostgreSQL and the Redis
broker; each count links to the admin list of exactly those items; retries of failed emails
and failed webhook events (a webhook event still takes effect once)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import CoachFactory, UserFactory
from core.command_center import command_center_rows
from notifications.models import OutboundEmail
from payments.models import Payment, PayoutItem, Transaction, WebhookEvent
from payments.tests.factories import PaymentFactory
from tests.concurrency import race

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client():
    client = Client()
    client.force_login(UserFactory(role=User.Role.STAFF, is_staff=True, is_superuser=True))
    return client


def _rows():
    return {row.key: row for row in command_center_rows()}


def _email(status, *, age=timedelta(0)):
    email = OutboundEmail.objects.create(
        to_email="ada@example.com", subject="Hi", body_text="Hello", status=status
    )
    OutboundEmail.objects.filter(pk=email.pk).update(created_at=timezone.now() - age)
    return email


def _refund_event(payment, event_id="evt_refund_1", *, status=WebhookEvent.Status.FAILED):
    payload = {
        "id": event_id,
        "type": "charge.refunded",
        "data": {
            "object": {
                "id": "ch_cc_1",
                "object": "charge",
                "payment_intent": payment.stripe_payment_intent_id,
                "currency": "chf",
                "amount_refunded": 5000,
                "refunds": {"data": [{"id": "re_cc_1"}]},
            }
        },
    }
    return WebhookEvent.objects.create(
        stripe_event_id=event_id, type="charge.refunded", payload=payload, status=status, attempts=1
    )


def test_only_platform_staff_get_in(client):
    url = reverse("core:staff")
    assert client.get(url).status_code == 302  # to login
    for user in (UserFactory(), CoachFactory().user):
        other = Client()
        other.force_login(user)
        assert other.get(url).status_code == 404, user.role
        assert other.post(reverse("core:staff_retry_emails")).status_code == 404
    for user in (
        UserFactory(role=User.Role.STAFF, is_staff=True),
        UserFactory(is_superuser=True, is_staff=True),
    ):
        staff = Client()
        staff.force_login(user)
        assert staff.get(url).status_code == 200


def test_counts_and_oldest_age_from_the_database_with_filtered_admin_links(staff_client):
    _email(OutboundEmail.Status.FAILED, age=timedelta(hours=3))
    _email(OutboundEmail.Status.FAILED)
    _email(OutboundEmail.Status.QUEUED, age=timedelta(minutes=20))
    _email(OutboundEmail.Status.SENT, age=timedelta(days=2))
    stuck = PaymentFactory(status=Payment.Status.PROCESSING)
    Payment.objects.filter(pk=stuck.pk).update(updated_at=timezone.now() - timedelta(hours=2))
    PaymentFactory(status=Payment.Status.PROCESSING)  # just started: not stuck
    PaymentFactory(status=Payment.Status.COMPLETED, refund_owed_reason="seat gone")
    _refund_event(PaymentFactory(status=Payment.Status.COMPLETED))
    WebhookEvent.objects.create(stripe_event_id="evt_ok", type="x", payload={}, status="processed")
    for status in ("failed", "failed", "paid"):
        failed = PaymentFactory(status=Payment.Status.COMPLETED)
        PayoutItem.objects.create(
            payment=failed,
            coach=failed.coach,
            status=status,
            currency="CHF",
            gross_share=failed.coach_share,
            transfer_group=f"payment-{failed.pk}",
        )

    rows = _rows()

    assert rows["emails_failed"].count == 2
    assert rows["emails_failed"].oldest_text.startswith("3 h")
    assert rows["emails_queued"].count == 1
    assert rows["emails_queued"].oldest_text == "20 min"
    assert rows["payments_stuck"].count == 1
    assert rows["refunds_owed"].count == 1
    assert rows["webhooks_failed"].count == 1
    assert rows["payouts_failed"].count == 2
    # Each link opens the admin list of exactly the items counted.
    for key in (
        "emails_failed",
        "emails_queued",
        "payments_stuck",
        "refunds_owed",
        "webhooks_failed",
        "payouts_failed",
    ):
        response = staff_client.get(rows[key].url)
        assert response.status_code == 200, key
        assert response.context["cl"].result_count == rows[key].count, key

    page = staff_client.get(reverse("core:staff")).content.decode()
    assert re.search(r'data-row="emails_failed">.*?<a href="[^"]+">2</a>', page, re.S)


def test_admin_index_links_to_the_command_center_for_staff_only(staff_client):
    assert reverse("core:staff") in staff_client.get(reverse("admin:index")).content.decode()
    coach = Client()
    coach.force_login(CoachFactory().user)
    assert reverse("core:staff") not in coach.get(reverse("admin:index")).content.decode()


@pytest.mark.realservices
def test_celery_queue_depth_and_age_from_the_redis_broker(celery_not_eager):
    from config.celery import app
    from core.tasks import ping

    # Messages an earlier run left in this Redis db (queued before the age header existed)
    # would be the oldest; this test owns the queue (celery_not_eager: no worker runs).
    app.control.purge()
    for n in range(3):
        ping.delay(str(n))

    row = _rows()["celery_queue"]

    assert row.count == 3
    assert row.oldest_age is not None and row.oldest_age < timedelta(minutes=1)


def test_celery_queue_broker_down_is_shown_not_an_error(staff_client, celery_broker_down):
    row = _rows()["celery_queue"]
    assert row.count is None and row.note == "broker down"
    assert staff_client.get(reverse("core:staff")).status_code == 200


def test_retry_failed_emails_sends_them(staff_client, committed):
    failed = _email(OutboundEmail.Status.FAILED)
    sent = _email(OutboundEmail.Status.SENT)

    with committed():
        response = staff_client.post(reverse("core:staff_retry_emails"))

    assert response.status_code == 302
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert failed.status == OutboundEmail.Status.SENT
    assert sent.attempts == 0  # a sent email is not sent again
    assert len(mail.outbox) == 1


def test_retry_failed_webhook_event_runs_the_handler_once(staff_client):
    payment = PaymentFactory(status=Payment.Status.COMPLETED, amount_captured=Decimal("150.00"))
    event = _refund_event(payment)
    url = reverse("core:staff_retry_event", kwargs={"event_id": event.pk})

    assert staff_client.post(url).status_code == 302
    assert staff_client.post(url).status_code == 302  # a second click

    event.refresh_from_db()
    payment.refresh_from_db()
    assert event.status == WebhookEvent.Status.PROCESSED
    assert payment.amount_refunded == Decimal("50.00")
    assert Transaction.objects.filter(payment=payment, kind=Transaction.Kind.REFUND).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_of_one_event_apply_it_once():
    from payments.webhooks import webhook_event_retry

    payment = PaymentFactory(status=Payment.Status.COMPLETED, amount_captured=Decimal("150.00"))
    event = _refund_event(payment)

    results = race(4, lambda _i: webhook_event_retry(event_id=event.pk))

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(str(r) for r in results if r is not None).count("processed") == 1
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("50.00")
    assert Transaction.objects.filter(payment=payment, kind=Transaction.Kind.REFUND).count() == 1
