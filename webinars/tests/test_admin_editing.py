"""The Django admin's webinar form goes through the editing services (issue 16): it can no
longer break an invariant, and its save no longer reverts a status a payment just changed."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.tests.admin_post import admin_form_data
from webinars import locks
from webinars.models import Material, Registration, Webinar, WebinarSlot
from webinars.services import minimum_attendees_sync
from webinars.tests.factories import HeldRegistrationFactory, RegistrationFactory, WebinarFactory


def _change(client, webinar, **fields):
    url = reverse("admin:webinars_webinar_change", args=[webinar.pk])
    client.force_login(webinar.coach.user)
    return url, admin_form_data(client.get(url), **fields)


@pytest.mark.django_db
def test_admin_refuses_capacity_below_the_seats_sold_with_a_field_error(client):
    webinar = WebinarFactory(max_attendees=10)
    RegistrationFactory.create_batch(3, webinar=webinar)
    url, data = _change(client, webinar, max_attendees="2")
    response = client.post(url, data)
    assert response.status_code == 200
    assert "the capacity cannot be lower" in response.content.decode()
    assert Webinar.objects.get(pk=webinar.pk).max_attendees == 10


@pytest.mark.django_db
def test_admin_form_has_no_editable_status(client):
    webinar = WebinarFactory(status=Webinar.Status.DRAFT)
    url, data = _change(client, webinar)
    data["status"] = Webinar.Status.SCHEDULED
    response = client.post(url, data)
    assert response.status_code == 302
    assert Webinar.objects.get(pk=webinar.pk).status == Webinar.Status.DRAFT


@pytest.mark.django_db
def test_admin_refuses_a_slot_in_the_past(client):
    webinar = WebinarFactory()
    url, data = _change(client, webinar)
    past = timezone.localtime(timezone.now() - timedelta(days=1))
    data["slots-0-start_0"] = past.strftime("%Y-%m-%d")
    data["slots-0-start_1"] = past.strftime("%H:%M:%S")
    response = client.post(url, data)
    assert response.status_code == 200
    assert "cannot start in the past" in response.content.decode()
    assert WebinarSlot.objects.get(webinar=webinar).start > timezone.now()


@pytest.mark.django_db
def test_admin_refuses_an_executable_material(client):
    webinar = WebinarFactory()
    url, data = _change(client, webinar)
    data.update(
        {
            "materials-TOTAL_FORMS": "1",
            "materials-0-title": "Installer",
            "materials-0-url": "",
            "materials-0-position": "0",
            "materials-0-file": SimpleUploadedFile("setup.exe", b"MZ\x90\x00"),
        }
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "are not accepted" in response.content.decode()
    assert not Material.objects.filter(webinar=webinar).exists()


@pytest.mark.django_db
def test_admin_publish_action_goes_through_the_service(client):
    webinar = WebinarFactory(status=Webinar.Status.DRAFT)
    client.force_login(webinar.coach.user)
    client.post(
        reverse("admin:webinars_webinar_changelist"),
        {"action": "publish_webinars", "_selected_action": [webinar.pk]},
    )
    assert Webinar.objects.get(pk=webinar.pk).status == Webinar.Status.SCHEDULED


# --- a coach's open admin form while a payment confirms a seat (PostgreSQL, two connections)


def _seat_confirmed_while(edit) -> Webinar:
    """A webinar waiting for its minimum of 1; a held seat. Thread "webhook" locks the
    webinar, confirms the seat (status → scheduled) and holds the lock a moment; meanwhile
    thread "coach" saves the form it loaded before (status still pending) with a new title."""
    webinar = WebinarFactory(min_attendees=1, status=Webinar.Status.PENDING_MINIMUM)
    held = HeldRegistrationFactory(webinar=webinar)
    prepared = edit.prepare(webinar)  # the coach's form, loaded before the payment
    locked = threading.Event()

    def webhook():
        try:
            with transaction.atomic():
                locked_webinar = locks.lock_webinar(webinar.pk)
                registration = locks.lock_registration(held.pk)
                registration.status = Registration.Status.CONFIRMED
                registration.confirmed_at = timezone.now()
                registration.save(update_fields=["status", "confirmed_at"])
                minimum_attendees_sync(webinar=locked_webinar)
                locked.set()
                time.sleep(1.0)  # the coach's save arrives while the seat is being confirmed
        finally:
            connections.close_all()

    def coach():
        try:
            locked.wait(timeout=30)
            edit.save(prepared)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=webhook), threading.Thread(target=coach)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return Webinar.objects.get(pk=webinar.pk)


class AdminFormEdit:
    def prepare(self, webinar):
        client = Client()
        url, data = _change(client, webinar, title="Renamed while paying")
        return client, url, data

    def save(self, prepared):
        client, url, data = prepared
        self.status_code = client.post(url, data).status_code


class WholeRowSave:
    """What the admin did before: save the whole row it loaded earlier."""

    def prepare(self, webinar):
        return Webinar.objects.get(pk=webinar.pk)

    def save(self, stale):
        stale.title = "Renamed while paying"
        stale.save()


@pytest.mark.realservices
@pytest.mark.django_db(transaction=True)
def test_an_admin_save_during_a_seat_confirmation_keeps_the_seat_and_the_status(settings):
    settings.LOCK_TIMEOUT_SECONDS = 60
    edit = AdminFormEdit()
    webinar = _seat_confirmed_while(edit)
    assert edit.status_code == 302
    assert webinar.title == "Renamed while paying"
    assert webinar.status == Webinar.Status.SCHEDULED
    assert webinar.registrations.get().status == Registration.Status.CONFIRMED


@pytest.mark.realservices
@pytest.mark.django_db(transaction=True)
def test_control_a_whole_row_save_reverts_the_status_the_payment_set(settings):
    settings.LOCK_TIMEOUT_SECONDS = 60
    webinar = _seat_confirmed_while(WholeRowSave())
    assert webinar.title == "Renamed while paying"
    assert webinar.status == Webinar.Status.PENDING_MINIMUM  # reverted: the bug the service fixes
    assert webinar.registrations.get().status == Registration.Status.CONFIRMED
