"""Every registration's copied start/end (webinars/stored_registration_times.py triggers)
equals its webinar's slots after every slot and seat write: through the services and around
them (bulk updates, stale saves, a registration moved to another webinar), on whichever
database the suite runs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Max, Min
from django.utils import timezone

from accounts.tests.factories import UserFactory
from webinars import stored_registration_times
from webinars.models import Registration, WebinarSlot
from webinars.services import webinar_slot_add, webinar_slot_remove, webinar_slot_reschedule
from webinars.tests.factories import RegistrationFactory, WebinarFactory

pytestmark = pytest.mark.django_db


def assert_copied() -> None:
    """Each registration carries the MIN(start) / MAX(end) of its webinar's slots."""
    rows = list(Registration.objects.values("pk", "webinar_id", "webinar_starts_at",
                                            "webinar_ends_at"))  # fmt: skip
    assert rows
    for row in rows:
        slots = WebinarSlot.objects.filter(webinar_id=row["webinar_id"]).aggregate(
            start=Min("start"), end=Max("end")
        )
        assert (row["webinar_starts_at"], row["webinar_ends_at"]) == (
            slots["start"],
            slots["end"],
        ), row


def test_slot_services_pass_the_new_times_on_to_every_registration():
    webinar = WebinarFactory(slots=False)
    seats = RegistrationFactory.create_batch(3, webinar=webinar)
    assert_copied()  # no slot yet: no time
    assert Registration.objects.get(pk=seats[0].pk).webinar_starts_at is None
    coach = webinar.coach.user
    start = timezone.now().replace(microsecond=0, second=0, minute=0) + timedelta(days=3)
    first = webinar_slot_add(
        webinar_id=webinar.pk, by=coach, start=start, end=start + timedelta(hours=2)
    )
    second = webinar_slot_add(
        webinar_id=webinar.pk, by=coach, start=start + timedelta(days=1),
        end=start + timedelta(days=1, hours=2),
    )  # fmt: skip
    assert_copied()
    assert Registration.objects.get(pk=seats[1].pk).webinar_ends_at == second.end
    later = start + timedelta(days=5)
    webinar_slot_reschedule(slot_id=first.pk, by=coach, start=later, end=later + timedelta(hours=1))
    assert_copied()
    assert Registration.objects.get(pk=seats[2].pk).webinar_starts_at == second.start
    webinar_slot_remove(slot_id=second.pk, by=coach)
    assert_copied()
    assert Registration.objects.get(pk=seats[2].pk).webinar_starts_at == later


def test_writes_around_the_services_keep_the_copies_right():
    webinar, other = WebinarFactory(), WebinarFactory(slots__starts_in=timedelta(days=30))
    registration = RegistrationFactory(webinar=webinar)
    stale = Registration.objects.get(pk=registration.pk)
    assert_copied()
    moved = timezone.now() - timedelta(days=2)
    WebinarSlot.objects.filter(webinar=webinar).update(  # fixtures moving a webinar
        start=moved, end=moved + timedelta(hours=1)
    )
    assert_copied()
    assert Registration.objects.get(pk=registration.pk).webinar_starts_at == moved
    stale.webinar_starts_at = stale.webinar_ends_at = None  # a full save of an old copy
    stale.save()
    assert_copied()
    Registration.objects.filter(pk=registration.pk).update(webinar=other)  # moved seat
    assert_copied()
    Registration.objects.filter(pk=registration.pk).update(webinar_starts_at=None)  # a bad write
    assert_copied()
    RegistrationFactory(webinar=other, user=UserFactory())  # inserted after the slots
    WebinarSlot.objects.filter(webinar=other).delete()
    assert_copied()
    assert not Registration.objects.filter(webinar_starts_at__isnull=False).exclude(webinar=webinar)


def test_the_backfill_copies_the_times_of_rows_written_without_the_triggers():
    webinar = WebinarFactory()
    RegistrationFactory.create_batch(2, webinar=webinar)
    stored_registration_times.drop_triggers(connection)
    try:
        Registration.objects.update(webinar_starts_at=None, webinar_ends_at=None)
        assert not Registration.objects.filter(webinar_starts_at__isnull=False).exists()
        stored_registration_times.copy_all(connection)
        assert_copied()
    finally:
        stored_registration_times.install_triggers(connection)
    WebinarSlot.objects.filter(webinar=webinar).update(start=timezone.now())
    assert_copied()  # the triggers are back
