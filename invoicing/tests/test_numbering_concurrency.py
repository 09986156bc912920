"""Gapless, unique numbers under real concurrency (PostgreSQL, real threads, one connection
each, released together by tests.concurrency.race). The control switches the counter lock
off and shows the race it prevents: two issuers read the same last number."""

from __future__ import annotations

import time

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from invoicing import numbering
from invoicing.models import Document, DocumentCounter, DocumentKind
from invoicing.services import invoice_issue_for_payment
from invoicing.tests.factories import CompletedPaymentFactory
from tests.concurrency import race
from webinars.tests.factories import WebinarFactory

pytestmark = [pytest.mark.realservices, pytest.mark.django_db(transaction=True)]

THREADS = 12


def completed_payments(count: int):
    webinar = WebinarFactory(max_attendees=count)
    return [CompletedPaymentFactory(coach=webinar.coach, webinar=webinar) for _ in range(count)]


@pytest.fixture
def slow_counter(monkeypatch):
    """Widen the window between reading and writing the counter (what a busy database does
    now and then) so an unlocked read-modify-write shows its race every time."""
    monkeypatch.setattr(numbering, "_between_read_and_write", lambda: time.sleep(0.05))


def allocate(lock: bool):
    year = timezone.now().year

    def action(_index):
        with transaction.atomic():
            return numbering.sequence_allocate(kind=DocumentKind.INVOICE, year=year, lock=lock)

    return action


def test_concurrent_allocations_take_each_number_once_without_gaps(slow_counter):
    results = race(THREADS, allocate(lock=True))
    assert sorted(results) == list(range(1, THREADS + 1))
    assert DocumentCounter.objects.get().last_sequence == THREADS


def test_control_without_the_lock_two_issuers_take_the_same_number(slow_counter):
    results = race(THREADS, allocate(lock=False))
    numbers = [r for r in results if isinstance(r, int)]
    assert len(set(numbers)) < len(numbers), f"expected duplicates without the lock: {results}"
    assert DocumentCounter.objects.get().last_sequence < THREADS  # and the counter lost counts


def test_concurrent_finalizations_issue_gapless_unique_invoices(slow_counter):
    payments = completed_payments(THREADS)
    results = race(THREADS, lambda i: invoice_issue_for_payment(payment_id=payments[i].pk))
    assert [r for r in results if isinstance(r, Exception)] == []
    year = timezone.now().year
    numbers = sorted(Document.objects.values_list("number", flat=True))
    assert numbers == [f"INV-{year}-{n:06d}" for n in range(1, THREADS + 1)]


def test_control_without_the_lock_finalizations_collide_on_the_number(slow_counter, monkeypatch):
    real = numbering.sequence_allocate
    monkeypatch.setattr(
        "invoicing.services.issue.sequence_allocate",
        lambda **kw: real(**{**kw, "lock": False}),
    )
    payments = completed_payments(THREADS)
    results = race(THREADS, lambda i: invoice_issue_for_payment(payment_id=payments[i].pk))
    collisions = [r for r in results if isinstance(r, IntegrityError)]
    # The unique constraint refuses the duplicates, so each collision is a failed issue.
    assert collisions, f"expected duplicate numbers without the lock: {results}"
    assert Document.objects.count() == THREADS - len(collisions)


def test_an_issue_that_rolls_back_gives_its_number_back(slow_counter):
    payments = completed_payments(THREADS)

    def action(i):
        if i % 4 == 0:  # a quarter of the finalizations fail after taking a number
            with transaction.atomic():
                invoice_issue_for_payment(payment_id=payments[i].pk)
                raise RuntimeError("the payment's transaction failed")
        return invoice_issue_for_payment(payment_id=payments[i].pk)

    results = race(THREADS, action)
    failed = [r for r in results if isinstance(r, RuntimeError)]
    assert len(failed) == THREADS // 4
    year = timezone.now().year
    numbers = sorted(Document.objects.values_list("sequence", flat=True))
    assert numbers == list(range(1, THREADS - len(failed) + 1))  # no gap where they were
    assert {d.year for d in Document.objects.all()} == {year}
