"""Issue 8 items 3 and 7: webinars are completed once their last slot ends (beat task and
`manage.py complete_webinars`), cannot be cancelled once they started, show "Live now" while
they run; the minimum-attendees status follows the confirmed seats both ways."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from payments.models import Payment
from payments.services import payment_refund
from webinars.errors import CannotCancel
from webinars.models import Registration, Webinar, WebinarSlot
from webinars.services import webinar_cancel
from webinars.tests.factories import RegistrationFactory, WebinarFactory
from webinars.tests.payment_helpers import deliver, paid

pytestmark = pytest.mark.django_db
WebinarStatus = Webinar.Status


def _running_webinar(**kwargs):
    """Started an hour ago, ends in an hour."""
    return WebinarFactory(slots__starts_in=timedelta(hours=-1), **kwargs)


def _ended_webinar(**kwargs):
    webinar = WebinarFactory(slots=False, **kwargs)
    start = timezone.now() - timedelta(days=3)
    WebinarSlot.objects.create(webinar=webinar, start=start, end=start + timedelta(hours=2))
    WebinarSlot.objects.create(
        webinar=webinar, start=start + timedelta(days=1), end=start + timedelta(days=1, hours=2)
    )
    return webinar


# --- completion --------------------------------------------------------------------------------


def test_complete_webinars_command_completes_only_webinars_whose_last_slot_ended():
    ended = _ended_webinar()
    waiting = _ended_webinar(status=WebinarStatus.PENDING_MINIMUM)
    running = _running_webinar()
    future = WebinarFactory()
    draft = _ended_webinar(status=WebinarStatus.DRAFT)
    cancelled = _ended_webinar(status=WebinarStatus.CANCELLED)
    # Second slot still to come: not over although the first one ended.
    multi = WebinarFactory(slots=False)
    now = timezone.now()
    WebinarSlot.objects.create(
        webinar=multi,
        start=now - timedelta(days=1),
        end=now - timedelta(days=1) + timedelta(hours=1),
    )
    WebinarSlot.objects.create(
        webinar=multi, start=now + timedelta(days=1), end=now + timedelta(days=1, hours=1)
    )

    call_command("complete_webinars")

    def status(w):
        w.refresh_from_db()
        return w.status

    assert status(ended) == WebinarStatus.COMPLETED
    assert status(waiting) == WebinarStatus.COMPLETED
    assert status(running) == WebinarStatus.SCHEDULED
    assert status(future) == WebinarStatus.SCHEDULED
    assert status(multi) == WebinarStatus.SCHEDULED
    assert status(draft) == WebinarStatus.DRAFT
    assert status(cancelled) == WebinarStatus.CANCELLED


def test_completion_runs_on_celery_beat():
    from webinars.tasks import complete_webinars

    entries = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == complete_webinars.name
    ]
    assert entries and entries[0]["schedule"] <= timedelta(minutes=15)
    ended = _ended_webinar()
    assert complete_webinars.delay().get() == 1
    ended.refresh_from_db()
    assert ended.status == WebinarStatus.COMPLETED


def test_a_completed_webinar_cannot_be_cancelled_and_nobody_is_refunded():
    webinar = _ended_webinar()
    RegistrationFactory(webinar=webinar)
    call_command("complete_webinars")
    with pytest.raises(CannotCancel):
        webinar_cancel(webinar_id=webinar.pk, by=webinar.coach.user, reason="too late")
    assert Registration.objects.get().status == Registration.Status.CONFIRMED


# --- cancellation refused once the first slot started ---------------------------------------


def test_the_service_refuses_to_cancel_a_webinar_that_started():
    webinar = _running_webinar()
    RegistrationFactory(webinar=webinar)
    with pytest.raises(CannotCancel) as caught:
        webinar_cancel(webinar_id=webinar.pk, by=webinar.coach.user, reason="oops")
    assert "started" in caught.value.message
    webinar.refresh_from_db()
    assert webinar.status == WebinarStatus.SCHEDULED
    assert Registration.objects.get().status == Registration.Status.CONFIRMED


def test_the_page_refuses_to_cancel_a_webinar_that_started(client):
    webinar = _running_webinar()
    RegistrationFactory(webinar=webinar)
    client.force_login(webinar.coach.user)
    response = client.post(reverse("webinars:cancel", args=[webinar.pk]), {"reason": "oops"})
    assert 400 <= response.status_code < 500
    webinar.refresh_from_db()
    assert webinar.status == WebinarStatus.SCHEDULED


def test_the_admin_action_refuses_to_cancel_a_webinar_that_started(client):
    webinar = _running_webinar()
    RegistrationFactory(webinar=webinar)
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.post(
        reverse("admin:webinars_webinar_changelist"),
        {
            "action": "cancel_webinars",
            "_selected_action": [webinar.pk],
            "confirm": "yes",
            "reason": "oops",
        },
        follow=True,
    )
    assert response.status_code == 200
    webinar.refresh_from_db()
    assert webinar.status == WebinarStatus.SCHEDULED
    assert Registration.objects.get().status == Registration.Status.CONFIRMED


# --- "Live now" -----------------------------------------------------------------------------------


def test_a_webinar_in_progress_is_listed_as_live_now_not_under_upcoming(client):
    running = _running_webinar(title="Running right now")
    WebinarFactory(title="Next week")
    html = client.get(reverse("webinars:list")).content.decode()
    assert "Live now" in html
    live_part, upcoming_part = html.split("Upcoming webinars", 1)
    assert running.title in live_part and running.title not in upcoming_part
    assert "Next week" in upcoming_part


# --- minimum attendees both ways (seed 004) -----------------------------------------------


def test_minimum_attendees_status_follows_confirmed_seats_down_and_up(
    client, localstripe, django_capture_on_commit_callbacks
):
    webinar = WebinarFactory(min_attendees=2, status=WebinarStatus.PENDING_MINIMUM)
    first, first_payment, first_event = paid(localstripe, webinar)
    deliver(client, first_event, django_capture_on_commit_callbacks)
    webinar.refresh_from_db()
    assert webinar.status == WebinarStatus.PENDING_MINIMUM
    second, second_payment, second_event = paid(localstripe, webinar)
    deliver(client, second_event, django_capture_on_commit_callbacks)
    webinar.refresh_from_db()
    assert webinar.status == WebinarStatus.SCHEDULED

    with django_capture_on_commit_callbacks(execute=True):
        payment_refund(payment_id=second_payment.pk, reason="Attendee asked")
    assert Payment.objects.get(pk=second_payment.pk).status == Payment.Status.REFUNDED
    assert Registration.objects.get(pk=second.pk).status == Registration.Status.REFUNDED
    webinar.refresh_from_db()
    assert webinar.status == WebinarStatus.PENDING_MINIMUM  # below the minimum again: "between"

    third, third_payment, third_event = paid(localstripe, webinar)
    deliver(client, third_event, django_capture_on_commit_callbacks)
    webinar.refresh_from_db()
    assert webinar.status == WebinarStatus.SCHEDULED


# --- the seat's payment is attached only to a live hold -----------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_hold_released_while_stripe_opens_the_payment_gets_it_cancelled(localstripe, monkeypatch):
    """The hold is released from another connection while we wait for Stripe. Before, the
    cancellation was registered on commit and then rolled back by the raise: the intent
    stayed open. Now it is cancelled at Stripe and nothing is attached."""
    import threading

    from django.db import connections

    from payments import gateway
    from webinars.errors import HoldExpired
    from webinars.services import registration_release
    from webinars.services import seats as module

    webinar = WebinarFactory()
    user = UserFactory()
    real_open = module.payment_open
    opened = {}

    def open_then_release_elsewhere(**kwargs):
        payment = real_open(**kwargs)
        opened["intent"] = payment.stripe_payment_intent_id
        registration_id = int(kwargs["metadata"]["registration_id"])

        def release():
            try:
                registration_release(registration_id=registration_id)
            finally:
                connections.close_all()

        thread = threading.Thread(target=release)
        thread.start()
        thread.join(timeout=30)
        return payment

    monkeypatch.setattr(module, "payment_open", open_then_release_elsewhere)
    with pytest.raises(HoldExpired):
        module.webinar_register(webinar_id=webinar.pk, user=user)
    registration = Registration.objects.get(user=user)
    assert registration.status == Registration.Status.CANCELLED
    assert registration.payment_id is None
    assert gateway.payment_intent_retrieve(opened["intent"]).status == "canceled"


def test_my_bookings_shows_a_running_webinar_under_live_now_not_upcoming(client):
    running = _running_webinar(title="Running right now")
    later = WebinarFactory(title="Next week")
    user = UserFactory()
    RegistrationFactory(webinar=running, user=user)
    RegistrationFactory(webinar=later, user=user)
    client.force_login(user)
    html = client.get(reverse("core:my_bookings")).content.decode()
    live_part, rest = html.split('id="upcoming-webinars-heading"', 1)
    assert "Live now" in live_part and running.title in live_part
    upcoming_part = rest.split("Past", 1)[0]
    assert running.title not in upcoming_part and later.title in upcoming_part
