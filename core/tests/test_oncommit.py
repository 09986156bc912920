"""The one after-commit helper: waits for the commit, never raises into the caller, logs."""

from functools import partial

import pytest
from django.db import transaction
from django.urls import reverse

from accounts.models import User
from core.oncommit import enqueue_on_commit, run_on_commit
from core.tasks import ping

pytestmark = pytest.mark.django_db(transaction=True)


def _explode(what):
    raise RuntimeError(f"boom {what}")


def test_failing_partial_callback_is_logged_and_the_transaction_stays_committed(caplog):
    # The trap this helper exists for: on_commit(partial(...), robust=True) raises on Django
    # 5.2 (its error logging reads __qualname__). Here the failure is only logged.
    with transaction.atomic():
        User.objects.create_user(email="kept@example.com", password="x" * 20)
        run_on_commit(partial(_explode, "now"), log_as="Test push")

    assert User.objects.filter(email="kept@example.com").exists()
    assert "Test push _explode() failed" in caplog.text
    assert "boom now" in caplog.text


def test_nothing_runs_for_a_transaction_that_rolls_back():
    ran = []
    with pytest.raises(ValueError), transaction.atomic():
        run_on_commit(ran.append, 1)
        raise ValueError
    assert ran == []


def test_enqueue_with_the_broker_down_logs_the_task_and_the_recovery_note(
    celery_broker_down, caplog
):
    with transaction.atomic():
        enqueue_on_commit(ping, "x", retry_note="the sweep retries it")

    assert "Could not queue core.tasks.ping('x',); the sweep retries it" in caplog.text


def test_signup_with_the_broker_down_signs_the_user_up_and_logs_the_lost_welcome(
    celery_broker_down, caplog, client
):
    password = "a-long-and-unusual-passphrase-42"
    response = client.post(
        reverse("accounts:signup"),
        {
            "email": "broker.down@example.com",
            "first_name": "Broker",
            "last_name": "Down",
            "timezone": "Europe/Berlin",
            "password1": password,
            "password2": password,
        },
    )

    assert response.status_code == 302
    assert User.objects.filter(email="broker.down@example.com").exists()
    assert client.get(reverse("accounts:profile")).status_code == 200  # logged in
    assert "Could not queue accounts.tasks.send_welcome_email" in caplog.text
