"""Six simultaneous admin adds of one discount code (issue 8, item 9): one code, five form
errors, no 500. Real threads, one PostgreSQL connection each; the control switches the coach
lock off to show that the form check alone loses the race to the unique constraint."""

from __future__ import annotations

import pytest
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import CoachFactory
from bookings import locks
from bookings.models import DiscountCode
from tests.concurrency import race

pytestmark = [pytest.mark.realservices, pytest.mark.django_db(transaction=True)]
ADDS = 6


def six_coach_tabs_add(code: str):
    coach = CoachFactory()
    url = reverse("admin:bookings_discountcode_add")
    clients = []
    for _ in range(ADDS):
        tab = Client(raise_request_exception=True)
        tab.force_login(coach.user)
        clients.append(tab)
    data = {"code": code, "kind": "percent", "value": "10", "is_active": "on"}

    def add(i: int):
        return clients[i].post(url, data).status_code

    return coach, race(ADDS, add)


def test_six_parallel_adds_of_one_code_give_one_code_and_five_form_errors():
    coach, results = six_coach_tabs_add("Launch")

    assert sorted(results) == [200] * (ADDS - 1) + [302], results
    assert list(DiscountCode.objects.filter(coach=coach).values_list("code", flat=True)) == [
        "LAUNCH"
    ]


def test_control_without_the_coach_lock_the_parallel_adds_hit_the_unique_constraint(
    monkeypatch,
):
    monkeypatch.setattr(locks, "LOCKS_ENABLED", False)

    coach, results = six_coach_tabs_add("Launch")

    assert any(isinstance(r, IntegrityError) for r in results), results
    assert DiscountCode.objects.filter(coach=coach).count() == 1  # the constraint still holds
