"""The webinar row's stored start/end and seat counts (webinars/stored_counts.py triggers)
equal what its slots and registrations say after every seat and slot operation, through the
services and through writes that bypass them (admin bulk updates, fixtures)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Max, Min
from django.utils import timezone

from accounts.tests.factories import UserFactory
from webinars.models import Registration, Webinar, WebinarSlot
from webinars.selectors import upcoming_webinars_page, visible_webinar
from webinars.services import (
    holds_expire,
    registration_release,
    seat_cancel,
    waitlist_join,
    webinar_cancel,
    webinar_register,
    webinar_slot_add,
    webinar_slot_remove,
    webinar_slot_reschedule,
)
from webinars.tests.factories import HeldRegistrationFactory, RegistrationFactory, WebinarFactory

pytestmark = pytest.mark.django_db
SeatStatus = Registration.Status


def recount(webinar_id: int) -> dict:
    """What the stored columns must say, counted from the rows."""
    slots = WebinarSlot.objects.filter(webinar_id=webinar_id).aggregate(
        starts_at=Min("start"), ends_at=Max("end")
    )
    seats = Registration.objects.filter(webinar_id=webinar_id)
    return {
        **slots,
        "seats_taken": seats.filter(status__in=[SeatStatus.HELD, SeatStatus.CONFIRMED]).count(),
        "seats_confirmed": seats.filter(status=SeatStatus.CONFIRMED).count(),
        "next_hold_expires_at": seats.filter(status=SeatStatus.HELD).aggregate(
            m=Min("hold_expires_at")
        )["m"],
    }


def stored(webinar_id: int) -> dict:
    fields = [f for f in Webinar.DB_MAINTAINED_FIELDS if f != "counts_version"]
    return Webinar.objects.filter(pk=webinar_id).values(*fields).get()


def assert_reconciled(webinar_id: int) -> None:
    assert stored(webinar_id) == recount(webinar_id)


def test_seat_operations_keep_the_stored_counts_equal_to_a_recount():
    webinar = WebinarFactory(price=Decimal("0"), max_attendees=3)
    assert_reconciled(webinar.pk)
    first, second, third, late = (UserFactory() for _ in range(4))

    webinar_register(webinar_id=webinar.pk, user=first)  # free: confirmed at once
    assert_reconciled(webinar.pk)
    hold = HeldRegistrationFactory(webinar=webinar, user=second, amount=Decimal("0"))
    assert_reconciled(webinar.pk)
    registration_release(registration_id=hold.pk, user=second)
    assert_reconciled(webinar.pk)

    stale = HeldRegistrationFactory(
        webinar=webinar, user=third, hold_expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert stored(webinar.pk)["seats_taken"] == 2  # counted until the sweep expires it
    assert visible_webinar(webinar_id=webinar.pk, user=None, now=timezone.now()).live_count == 1
    holds_expire()
    assert Registration.objects.get(pk=stale.pk).status == SeatStatus.EXPIRED
    assert_reconciled(webinar.pk)

    webinar_register(webinar_id=webinar.pk, user=second)
    webinar_register(webinar_id=webinar.pk, user=third)
    assert stored(webinar.pk)["seats_taken"] == 3
    waitlist_join(webinar_id=webinar.pk, user=late)
    seat_cancel(webinar_id=webinar.pk, user=first)  # frees a seat: offered to `late`
    assert Registration.objects.get(webinar=webinar, user=late).status == SeatStatus.HELD
    assert_reconciled(webinar.pk)

    webinar_cancel(webinar_id=webinar.pk, by=webinar.coach.user, reason="Ill")
    assert_reconciled(webinar.pk)
    assert stored(webinar.pk)["seats_taken"] == 0


def test_slot_operations_keep_the_stored_start_and_end_equal_to_a_recount():
    webinar = WebinarFactory(slots=False)
    assert stored(webinar.pk)["starts_at"] is None
    coach = webinar.coach.user
    start = timezone.now().replace(microsecond=0, second=0, minute=0) + timedelta(days=3)
    first = webinar_slot_add(
        webinar_id=webinar.pk, by=coach, start=start, end=start + timedelta(hours=2)
    )
    second = webinar_slot_add(
        webinar_id=webinar.pk,
        by=coach,
        start=start + timedelta(days=1),
        end=start + timedelta(days=1, hours=2),
    )
    assert_reconciled(webinar.pk)
    assert stored(webinar.pk)["ends_at"] == start + timedelta(days=1, hours=2)
    later = start + timedelta(days=5)
    webinar_slot_reschedule(slot_id=first.pk, by=coach, start=later, end=later + timedelta(hours=1))
    assert_reconciled(webinar.pk)
    assert stored(webinar.pk)["starts_at"] == second.start
    webinar_slot_remove(slot_id=second.pk, by=coach)
    assert_reconciled(webinar.pk)
    assert stored(webinar.pk)["starts_at"] == later


def test_writes_around_the_services_are_counted_too():
    webinar = WebinarFactory()
    RegistrationFactory.create_batch(3, webinar=webinar)
    assert_reconciled(webinar.pk)
    Registration.objects.filter(webinar=webinar).update(status=SeatStatus.REFUNDED)  # a bulk update
    WebinarSlot.objects.filter(webinar=webinar).update(  # fixtures moving a webinar
        start=timezone.now() - timedelta(days=2), end=timezone.now() - timedelta(days=1)
    )
    assert_reconciled(webinar.pk)
    Registration.objects.filter(webinar=webinar).delete()
    webinar.slots.all().delete()
    assert_reconciled(webinar.pk)


def test_saving_a_stale_instance_keeps_the_stored_values():
    webinar = WebinarFactory()  # the instance was built before its slot existed
    RegistrationFactory(webinar=webinar)
    webinar.title = "Renamed"
    webinar.save()
    assert_reconciled(webinar.pk)
    assert stored(webinar.pk)["seats_taken"] == 1


def test_list_shows_the_stored_seats_and_skips_ended_webinars():
    now = timezone.now()
    open_one = WebinarFactory(max_attendees=5)
    RegistrationFactory.create_batch(2, webinar=open_one)
    WebinarFactory(slots__starts_in=timedelta(days=-3))  # ended: not listed
    page = upcoming_webinars_page(now=now)
    assert [(item.webinar.pk, item.seats_left) for item in page.items] == [(open_one.pk, 3)]
