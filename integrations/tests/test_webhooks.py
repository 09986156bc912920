"""Calendly's webhook endpoint: signature checks before anything is written, store once.

Deliveries are the recorded envelopes of fixtures/calendly/ (shaped as Calendly documents
them), signed as Calendly signs: t=<unix>,v1=HMAC-SHA256(signing key, t + "." + raw body).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from django.utils import timezone

from bookings.models import Booking
from integrations.models import CalendlyBooking, CalendlyWebhookEvent
from integrations.services import calendly_disconnect
from integrations.tests.conftest import recorded
from integrations.tests.helpers import for_connection, now, post_signed, webhook_path

pytestmark = pytest.mark.django_db


def nothing_written() -> bool:
    return (
        not CalendlyWebhookEvent.objects.exists()
        and not Booking.objects.exists()
        and not CalendlyBooking.objects.exists()
    )


@pytest.fixture
def created(connected):
    return for_connection(recorded("invitee_created"), connected)


def test_missing_signature_header_is_400_and_writes_nothing(client, connected, created):
    response = post_signed(client, connected, created, header="")

    assert response.status_code == 400
    assert nothing_written()


def test_signature_with_another_key_is_400_and_writes_nothing(client, connected, created):
    response = post_signed(client, connected, created, key="somebody-elses-key")

    assert response.status_code == 400
    assert nothing_written()


def test_tampered_body_is_400_and_writes_nothing(client, connected, created, committed):
    body = json.dumps(created).encode()
    from integrations import crypto
    from integrations.calendly.signatures import sign

    header = sign(body, crypto.decrypt(connected.signing_key_encrypted))
    tampered = body.replace(b"2027-01-15T10:00:00", b"2027-01-15T09:00:00")

    response = post_signed(client, connected, tampered, header=header)

    assert response.status_code == 400
    assert nothing_written()


@pytest.mark.parametrize("offset", [-181, 181])
def test_timestamp_181_seconds_old_or_ahead_is_400_and_writes_nothing(
    client, connected, created, offset
):
    response = post_signed(client, connected, created, t=now() + offset)

    assert response.status_code == 400
    assert nothing_written()


def test_timestamp_within_180_seconds_is_accepted(client, connected, created, committed):
    with committed():
        response = post_signed(client, connected, created, t=now() - 170)

    assert response.status_code == 200
    assert Booking.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2]", b'{"event": "invitee.created"}', b'{"event": "x", "payload": {}}'],
)
def test_malformed_json_or_envelope_is_400_and_writes_nothing(client, connected, body):
    response = post_signed(client, connected, body)

    assert response.status_code == 400
    assert nothing_written()


@pytest.mark.parametrize("header", ["t=abc,v1=00", "v1=00", "t=1", "garbage"])
def test_malformed_signature_header_is_400(client, connected, created, header):
    response = post_signed(client, connected, created, header=header)

    assert response.status_code == 400
    assert nothing_written()


def test_unknown_webhook_token_is_404_and_writes_nothing(client, connected, created):
    response = client.post(
        "/integrations/calendly/webhook/not-ours/",
        data=json.dumps(created),
        content_type="application/json",
    )

    assert response.status_code == 404
    assert nothing_written()


def test_get_is_not_allowed(client, connected):
    assert client.get(webhook_path(connected)).status_code == 405


def test_the_same_event_five_times_makes_one_booking(client, connected, created, committed):
    with committed():
        answers = [post_signed(client, connected, created) for _ in range(5)]

    assert [r.status_code for r in answers] == [200] * 5
    assert [r.json()["outcome"] for r in answers] == ["queued"] + ["duplicate"] * 4
    assert CalendlyWebhookEvent.objects.count() == 1
    assert Booking.objects.count() == 1


def test_a_shuffled_stream_with_repeats_ends_in_one_consistent_booking(
    client, connected, committed
):
    """create + the reschedule pair, in each of the 6 orders, each repeated in between."""
    names = ["invitee_created", "invitee_canceled_rescheduled", "invitee_created_rescheduled"]
    envelopes = [for_connection(recorded(n), connected) for n in names]
    for first, second, third in itertools.permutations(envelopes):
        Booking.objects.all().delete()
        CalendlyWebhookEvent.objects.all().delete()
        deliveries = [first, second, first, third, second, third, first]

        with committed():
            for envelope in deliveries:
                assert post_signed(client, connected, envelope).status_code == 200

        booking = Booking.objects.get()
        assert booking.status == Booking.Status.CONFIRMED
        assert booking.start.isoformat() == "2027-01-16T14:00:00+00:00"
        assert booking.calendly.invitee_uri.endswith("/invitees/BBBBBBBBBBBBBBBB")
        assert CalendlyWebhookEvent.objects.count() == 3


def test_event_for_a_coach_who_disconnected_is_acknowledged_and_ignored(
    client, connected, created, committed
):
    calendly_disconnect(coach=connected.coach)

    with committed():
        response = post_signed(client, connected, created, key="any-key-we-forgot")

    assert response.status_code == 200
    assert response.json()["outcome"] == "ignored"
    assert nothing_written()


def test_a_valid_delivery_answers_fast_and_is_processed_after_commit(
    client, connected, created, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post_signed(client, connected, created)

    assert response.status_code == 200
    row = CalendlyWebhookEvent.objects.get()
    assert row.status == CalendlyWebhookEvent.Status.RECEIVED
    assert not Booking.objects.exists()  # the task runs after commit, not in the request
    for callback in callbacks:
        callback()
    row.refresh_from_db()
    assert row.status == CalendlyWebhookEvent.Status.PROCESSED
    assert Booking.objects.count() == 1


def test_an_event_whose_task_never_ran_is_processed_by_the_sweep(
    client, connected, created, django_capture_on_commit_callbacks
):
    """The broker was down when it arrived (the on-commit enqueue never happened)."""
    from integrations.tasks import retry_stuck_calendly_events

    with django_capture_on_commit_callbacks(execute=False):
        assert post_signed(client, connected, created).status_code == 200
    CalendlyWebhookEvent.objects.update(received_at=timezone.now() - dt.timedelta(minutes=6))

    assert retry_stuck_calendly_events() == 1

    assert CalendlyWebhookEvent.objects.get().status == CalendlyWebhookEvent.Status.PROCESSED
    assert Booking.objects.count() == 1
