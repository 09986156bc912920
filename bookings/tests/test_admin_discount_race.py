"""Six simultaneous admin adds of one discount code (issue 8, item 9): one code, five form
errors, no 500. Real threads, one PostgreSQL connection each; the control switches the coach
lock off to show that the form check alone loses the race to the unique constraint (it holds
every add between its form check and its INSERT until all six got there, so the race shows on
every run, not only when the threads happen to overlap)."""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError
from django.urls import reverse

from accounts.tests.factories import CoachFactory
from bookings import locks
from bookings.admin import DiscountCodeAdmin
from bookings.models import DiscountCode
from tests.concurrency import ThreadClient, race

pytestmark = [pytest.mark.realservices, pytest.mark.django_db(transaction=True)]
ADDS = 6


def six_coach_tabs_add(code: str):
    coach = CoachFactory()
    url = reverse("admin:bookings_discountcode_add")
    clients = []
    for _ in range(ADDS):
        tab = ThreadClient(raise_request_exception=True)
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
    all_checked = threading.Barrier(ADDS)
    save_model = DiscountCodeAdmin.save_model

    def save_once_all_are_checked(self, request, obj, form, change):
        all_checked.wait(timeout=30)  # each add has passed clean() and not yet inserted
        return save_model(self, request, obj, form, change)

    monkeypatch.setattr(DiscountCodeAdmin, "save_model", save_once_all_are_checked)

    coach, results = six_coach_tabs_add("Launch")

    assert results.count(302) == 1, results
    assert sum(isinstance(r, IntegrityError) for r in results) == ADDS - 1, results
    assert DiscountCode.objects.filter(coach=coach).count() == 1  # the constraint still holds
