"""Issue 15 #4 and #3 under real concurrency (PostgreSQL, real threads, one connection each).

1. A freed seat is offered to exactly one person and never oversold: with one seat free and
   six people waiting, six newcomers try to book while six sweeps offer free seats, all at
   once. The control switches the webinar lock off: the threads then offer the same seat
   several times at once (only the database's one-live-seat-per-user constraint stops the
   duplicates, failing those transactions with IntegrityError).
2. Cancelling a seat twice at once refunds once. The control, without the locks, lets two
   cancellations of the one seat both succeed (each promising its refund).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import requests
from django.conf import settings
from django.db import IntegrityError
from django.test import Client

from accounts.tests.factories import UserFactory
from payments import gateway
from payments.models import Payment
from payments.tests.stripe_helpers import post_event
from tests.concurrency import race
from webinars import locks
from webinars.errors import SeatAlreadyCancelled, WebinarFull
from webinars.models import Registration, WaitlistEntry, Webinar
from webinars.services import seat_cancel, webinar_register, webinar_seats_offer, webinar_starts_at
from webinars.services.seat_cancel import SeatCancelPreview
from webinars.tests.factories import RegistrationFactory, WebinarFactory
from webinars.tests.payment_helpers import paid

pytestmark = [pytest.mark.realservices, pytest.mark.django_db(transaction=True)]
WaitStatus = WaitlistEntry.Status


@pytest.fixture(autouse=True)
def _patient_locks(settings):
    settings.LOCK_TIMEOUT_SECONDS = 120


@pytest.fixture(autouse=True)
def _tasks_in_process():
    from config.celery import app

    app.conf.task_always_eager = True  # the project's autouse fixture restores it


def one_free_seat_six_waiting():
    """Five seats, four confirmed, six people in line (the coach just raised the capacity
    from four), then six newcomers booking and six offer sweeps at the same instant."""
    webinar = WebinarFactory(max_attendees=4)
    for _ in range(4):
        RegistrationFactory(webinar=webinar)
    waiting = [WaitlistEntry.objects.create(webinar=webinar, user=UserFactory()) for _ in range(6)]
    Webinar.objects.filter(pk=webinar.pk).update(max_attendees=5)
    newcomers = [UserFactory() for _ in range(6)]

    def act(i: int):
        if i < 6:
            return webinar_register(webinar_id=webinar.pk, user=newcomers[i])
        return webinar_seats_offer(webinar_id=webinar.pk)

    return webinar, waiting, race(12, act)


def _live(webinar) -> int:
    return Registration.objects.filter(
        webinar=webinar, status__in=Registration.LIVE_STATUSES
    ).count()


def test_a_freed_seat_goes_to_exactly_one_person_in_line_and_is_never_oversold(localstripe):
    webinar, waiting, results = one_free_seat_six_waiting()
    errors = [r for r in results if isinstance(r, Exception) and not isinstance(r, WebinarFull)]
    assert errors == []
    assert sum(isinstance(r, WebinarFull) for r in results[:6]) == 6  # no newcomer jumped in
    offered = WaitlistEntry.objects.filter(webinar=webinar, status=WaitStatus.OFFERED)
    assert [entry.pk for entry in offered] == [waiting[0].pk]  # the first in line, only
    assert _live(webinar) == 5
    assert WaitlistEntry.objects.filter(webinar=webinar, status=WaitStatus.WAITING).count() == 5


def test_control_without_the_webinar_lock_the_seat_is_offered_several_times(
    localstripe, monkeypatch
):
    monkeypatch.setattr(locks, "LOCKS_ENABLED", False)
    collisions = 0
    for _ in range(3):
        webinar, _waiting, results = one_free_seat_six_waiting()
        collisions += sum(isinstance(r, IntegrityError) for r in results)
        collisions += max(0, _live(webinar) - 5)
        if collisions:
            break
    assert collisions > 0, "without the lock concurrent offers should collide or oversell"


# --- cancelling a seat twice at once ---------------------------------------------------------


def _refunds_at_stripe(localstripe, payment: Payment) -> list[int]:
    charge_id = gateway.charge_id_of(
        gateway.payment_intent_retrieve(payment.stripe_payment_intent_id).raw
    )
    response = requests.get(
        f"{localstripe['base']}/v1/refunds",
        headers={"Authorization": f"Bearer {settings.STRIPE_SECRET_KEY}"},
        timeout=5,
    )
    response.raise_for_status()
    return [r["amount"] for r in response.json()["data"] if r.get("charge") == charge_id]


def _confirmed_paid_seat(localstripe):
    webinar = WebinarFactory()
    registration, payment, event = paid(localstripe, webinar)
    assert post_event(Client(), event).status_code == 200
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    return webinar, registration, payment


def _cancel_four_times_at_once(webinar, registration):
    now = webinar_starts_at(webinar.pk) - timedelta(hours=36)  # the 50 % tier: CHF 60
    return race(4, lambda i: seat_cancel(webinar_id=webinar.pk, user=registration.user, now=now))


def test_cancelling_a_seat_four_times_at_once_refunds_once(localstripe):
    webinar, registration, payment = _confirmed_paid_seat(localstripe)
    results = _cancel_four_times_at_once(webinar, registration)
    assert sum(isinstance(r, SeatCancelPreview) for r in results) == 1, results
    assert sum(isinstance(r, SeatAlreadyCancelled) for r in results) == 3, results
    assert _refunds_at_stripe(localstripe, payment) == [6000]
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("60.00")


def test_control_without_the_locks_the_seat_is_refunded_more_than_once(localstripe, monkeypatch):
    import sys

    module = sys.modules["webinars.services.seat_cancel"]
    monkeypatch.setattr(locks, "LOCKS_ENABLED", False)
    monkeypatch.setattr(
        module, "lock_payments", lambda ids: list(Payment.objects.filter(pk__in=ids))
    )
    worst = 0
    for _ in range(3):
        webinar, registration, payment = _confirmed_paid_seat(localstripe)
        results = _cancel_four_times_at_once(webinar, registration)
        worst = max(worst, sum(isinstance(r, SeatCancelPreview) for r in results))
        if worst > 1:
            break
    assert worst > 1, "without the locks two cancellations of one seat should both succeed"
