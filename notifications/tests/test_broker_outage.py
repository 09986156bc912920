"""The Celery broker is down while a change queues its live pushes and emails: the change is
committed, the failure is logged, the caller gets its normal answer, and the page shows the new
state on its next load or poll (the polling fallback of the booking panels)."""

import logging
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Coach
from accounts.tests.factories import UserFactory
from bookings.models import Booking
from bookings.services.booking_create import booking_create
from bookings.tests.factories import AvailabilitySlotFactory, at, coach_with_offer, future_weekday
from notifications.models import Notification, OutboundEmail
from notifications.services import notify
from notifications.types import NotificationType
from webinars.models import Registration
from webinars.tests.factories import WebinarFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(caplog):
    caplog.set_level(logging.ERROR, logger="notifications")
    return caplog


def test_notification_is_kept_and_the_failed_push_and_email_are_logged(
    celery_broker_down, logged, client, committed
):
    user = UserFactory()

    with committed():  # the pushes and the email are published on commit
        notification = notify(
            recipient=user,
            type=NotificationType.CONNECTION_REQUESTED,
            context={"requester_name": "Ada"},
        )

    assert Notification.objects.filter(pk=notification.pk).exists()
    assert OutboundEmail.objects.get(recipient=user).status == OutboundEmail.Status.QUEUED
    assert "Live update _queue_push('push_notification'" in logged.text
    assert "the outbox sweep will retry it" in logged.text  # the email is not lost either
    client.force_login(user)
    assert "Ada wants to connect" in client.get("/notifications/").content.decode()


def test_accepted_request_is_confirmed_and_the_clients_panel_shows_it_on_its_next_poll(
    celery_broker_down, logged, client, committed
):
    coach, session_type = coach_with_offer()
    Coach.objects.filter(pk=coach.pk).update(hourly_rate=0)
    day = future_weekday(0)
    AvailabilitySlotFactory(coach=coach, start=at(day, 9), end=at(day, 17), instant_booking=False)
    booking = booking_create(
        client=UserFactory(),
        coach_id=coach.pk,
        session_type_id=session_type.pk,
        start=at(day, 10),
        duration=60,
    ).booking
    logged.clear()

    client.force_login(coach.user)
    with committed():
        response = client.post(reverse("bookings:accept", args=[booking.pk]))

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert Notification.objects.filter(recipient=booking.client, type="booking_accepted").exists()
    assert f"Live update _queue_push('push_booking_status', {booking.pk})" in logged.text
    client.force_login(booking.client)
    panel = client.get(reverse("bookings:status", args=[booking.pk])).content.decode()
    assert "You're booked!" in panel


def test_free_webinar_seat_is_confirmed_and_the_page_shows_it(
    celery_broker_down, logged, client, committed
):
    webinar = WebinarFactory(price=Decimal("0.00"))
    user = UserFactory()
    client.force_login(user)

    with committed():
        response = client.post(
            reverse("webinars:register", args=[webinar.pk]), HTTP_ACCEPT="application/json"
        )

    assert response.status_code == 200 and response.json()["free_booking"] is True
    assert Registration.objects.get(webinar=webinar, user=user).status == "confirmed"
    assert f"Live update _queue_webinar_push({webinar.pk},)" in logged.text
    assert "Live update _queue_push('push_booking_panel'" in logged.text
    page = client.get(reverse("webinars:detail", args=[webinar.pk])).content.decode()
    assert "You're booked!" in page
    # The confirmation notices could not be queued either: they wait as rows, and the beat
    # sweep builds them (once the broker is back; the sweep runs in the worker).
    from datetime import timedelta

    from django.utils import timezone

    from notifications.deferred import SWEEP_AFTER, deferred_notifications_sweep
    from notifications.models import DeferredNotification, Notification

    assert DeferredNotification.objects.filter(recipient=user).count() == 1
    assert not Notification.objects.filter(recipient=user).exists()
    later = timezone.now() + SWEEP_AFTER + timedelta(seconds=1)
    assert deferred_notifications_sweep(now=later) == 2  # the attendee's and the coach's
    assert Notification.objects.filter(recipient=user, type="webinar_booking_confirmed").exists()
