"""Lock helpers refuse to run outside a transaction, and a lock held too long elsewhere ends
in a "busy, try again" answer (409 with Retry-After), not a hung request (core.locking)."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from django.db import connections, transaction

from accounts.models import Coach
from accounts.tests.factories import UserFactory
from bookings import locks as booking_locks
from bookings.models import Booking
from bookings.tests.factories import BookingFactory
from core.locking import LockOutsideTransaction
from payments import locks as payment_locks
from payments.tests.factories import PaymentFactory
from webinars import locks as webinar_locks
from webinars.models import Webinar
from webinars.tests.factories import RegistrationFactory, WebinarFactory


def _helpers():
    """(name, call) for every lock helper of the project, each given a row that exists."""
    booking = BookingFactory()
    registration = RegistrationFactory()
    payment = PaymentFactory()
    return [
        ("lock_coach", lambda: booking_locks.lock_coach(booking.coach_id)),
        ("lock_client", lambda: booking_locks.lock_client(booking.client_id)),
        ("lock_booking", lambda: booking_locks.lock_booking(booking.pk)),
        ("lock_booking_with_coach", lambda: booking_locks.lock_booking_with_coach(booking.pk)),
        ("lock_webinar", lambda: webinar_locks.lock_webinar(registration.webinar_id)),
        ("lock_registration", lambda: webinar_locks.lock_registration(registration.pk)),
        ("lock_registrations", lambda: webinar_locks.lock_registrations(pk=registration.pk)),
        ("lock_payment", lambda: payment_locks.lock_payment(payment.pk)),
        (
            "lock_payment_by_intent",
            lambda: payment_locks.lock_payment_by_intent(payment.stripe_payment_intent_id),
        ),
        ("lock_payments", lambda: payment_locks.lock_payments([payment.pk])),
    ]


@pytest.mark.django_db
def test_every_lock_helper_refuses_to_run_outside_an_atomic_block():
    for name, call in _helpers():
        with pytest.raises(LockOutsideTransaction, match=name):
            call()


@pytest.mark.django_db
def test_every_lock_helper_locks_inside_an_atomic_block():
    for _name, call in _helpers():
        with transaction.atomic():
            assert call()


class RowHeldElsewhere:
    """Another connection (a thread) holds `SELECT ... FOR UPDATE` on one row until release."""

    def __init__(self, model, pk):
        self.model, self.pk = model, pk
        self.locked, self.done = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._hold)

    def _hold(self):
        try:
            with transaction.atomic():
                self.model.objects.select_for_update().get(pk=self.pk)
                self.locked.set()
                self.done.wait(timeout=30)
        finally:
            connections.close_all()

    def __enter__(self):
        self.thread.start()
        assert self.locked.wait(timeout=10)
        return self

    def __exit__(self, *exc):
        self.done.set()
        self.thread.join(timeout=30)


@pytest.mark.realservices
@pytest.mark.django_db(transaction=True)
def test_cancelling_while_the_coach_row_is_locked_too_long_answers_busy_with_retry_after(
    client, settings
):
    settings.LOCK_TIMEOUT_SECONDS = 0.5
    booking = BookingFactory(amount_total=Decimal("0"))
    client.force_login(booking.client)

    with RowHeldElsewhere(Coach, booking.coach_id):
        started = time.monotonic()
        response = client.post(f"/bookings/{booking.pk}/cancel/", HTTP_ACCEPT="application/json")
        waited = time.monotonic() - started

    assert response.status_code == 409
    assert response.json()["code"] == "busy"
    assert response["Retry-After"] == "3"
    assert waited < 5  # the lock wait was cut short, not the holder's 30 s
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED  # nothing changed; trying again works
    response = client.post(f"/bookings/{booking.pk}/cancel/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED_BY_CLIENT


@pytest.mark.realservices
@pytest.mark.django_db(transaction=True)
def test_booking_a_seat_while_the_webinar_row_is_locked_too_long_answers_busy(client, settings):
    settings.LOCK_TIMEOUT_SECONDS = 0.5
    webinar = WebinarFactory(price=Decimal("0"))
    client.force_login(UserFactory())

    with RowHeldElsewhere(Webinar, webinar.pk):
        response = client.post(f"/webinars/{webinar.pk}/register/", HTTP_ACCEPT="application/json")

    assert response.status_code == 409
    assert response["Retry-After"] == "3"
    assert "try again" in response.json()["message"]
    assert not webinar.registrations.exists()


@pytest.mark.django_db
def test_write_services_that_call_stripe_refuse_to_run_inside_another_transaction():
    """Their locking step is `atomic(durable=True)`: inside a caller's transaction its locks
    would be held through the Stripe call that follows, so it fails before locking anything."""
    from bookings.services.booking_create import booking_create
    from bookings.services.transitions import booking_cancel
    from bookings.tests.factories import at, coach_with_offer, future_weekday
    from webinars.services import webinar_cancel, webinar_register

    webinar = WebinarFactory()
    coach, session_type = coach_with_offer()
    booking = BookingFactory()
    calls = [
        lambda: webinar_register(webinar_id=webinar.pk, user=UserFactory()),
        lambda: webinar_cancel(webinar_id=webinar.pk, by=webinar.coach.user, reason="Ill"),
        lambda: booking_create(
            client=UserFactory(),
            coach_id=coach.pk,
            session_type_id=session_type.pk,
            start=at(future_weekday(0), 10),
            duration=60,
        ),
        lambda: booking_cancel(user=booking.client, booking_id=booking.pk),
    ]
    for call in calls:
        with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
            call()
    assert not webinar.registrations.exists()
    webinar.refresh_from_db()
    assert webinar.status == Webinar.Status.SCHEDULED
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


@pytest.mark.realservices
@pytest.mark.django_db(transaction=True)
def test_a_webhook_while_the_payment_row_is_locked_too_long_answers_409_and_applies_on_retry(
    client, settings
):
    """Stripe retries any non-2xx: a lock wait past the limit is a 409 with Retry-After (not a
    500), the event stays failed, and the retried delivery applies it once."""
    import json

    from payments.models import Payment, Transaction, WebhookEvent
    from payments.tests.stripe_helpers import sign

    settings.LOCK_TIMEOUT_SECONDS = 0.5
    payment = PaymentFactory(status=Payment.Status.COMPLETED)
    charge = {
        "id": "ch_busy_1",
        "object": "charge",
        "payment_intent": payment.stripe_payment_intent_id,
        "currency": "chf",
        "amount_refunded": 5000,
        "refunds": {"data": [{"id": "re_busy_1"}]},
    }
    payload = json.dumps(
        {"id": "evt_busy_1", "type": "charge.refunded", "data": {"object": charge}}
    ).encode()

    def deliver():
        return client.post(
            "/payments/stripe/webhook/",
            data=payload,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=sign(payload),
        )

    with RowHeldElsewhere(Payment, payment.pk):
        response = deliver()

    assert response.status_code == 409
    assert response["Retry-After"] == "3"
    assert WebhookEvent.objects.get(stripe_event_id="evt_busy_1").status == "failed"
    assert not Transaction.objects.filter(payment=payment, kind="refund").exists()

    assert deliver().status_code == 200
    assert deliver().status_code == 200  # a replay: no second refund
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("50.00")
    assert Transaction.objects.filter(payment=payment, kind="refund").count() == 1


class RolledBack(Exception):
    pass


def _lock_timeout_sets(queries) -> int:
    return sum(q["sql"].startswith("SET LOCAL lock_timeout") for q in queries)


def _lock_timeout() -> str:
    with connections["default"].cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_the_lock_timeout_is_set_once_per_transaction_and_again_after_a_savepoint_undid_it(
    settings,
):
    from django.test.utils import CaptureQueriesContext

    if connections["default"].vendor != "postgresql":
        pytest.skip("lock_timeout is PostgreSQL's")
    settings.LOCK_TIMEOUT_SECONDS = 2
    registration = RegistrationFactory()
    connection = connections["default"]
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        webinar_locks.lock_webinar(registration.webinar_id)
        webinar_locks.lock_registrations(webinar_id=registration.webinar_id)
        webinar_locks.lock_registration(registration.pk)
        assert _lock_timeout() == "2s"
    assert _lock_timeout_sets(queries) == 1  # three locks, one SET LOCAL
    assert _lock_timeout() == "0"  # SET LOCAL ended with the transaction

    with CaptureQueriesContext(connection) as queries:
        with transaction.atomic():  # a new transaction sets it again
            webinar_locks.lock_webinar(registration.webinar_id)
            with pytest.raises(RolledBack), transaction.atomic():
                webinar_locks.lock_registration(registration.pk)  # set before: reused
                raise RolledBack
            assert _lock_timeout() == "2s"  # set before the savepoint: still set
        with transaction.atomic():
            with pytest.raises(RolledBack), transaction.atomic():
                webinar_locks.lock_registration(registration.pk)  # set inside a savepoint
                raise RolledBack
            assert _lock_timeout() == "0"  # ... which PostgreSQL undid with the rollback
            webinar_locks.lock_registration(registration.pk)  # so it is set again
            assert _lock_timeout() == "2s"
    assert _lock_timeout_sets(queries) == 3

    settings.LOCK_TIMEOUT_SECONDS = 0.5
    with transaction.atomic():
        webinar_locks.lock_registration(registration.pk)
        settings.LOCK_TIMEOUT_SECONDS = 1  # a changed setting is applied, not the old mark
        webinar_locks.lock_webinar(registration.webinar_id)
        assert _lock_timeout() == "1s"
