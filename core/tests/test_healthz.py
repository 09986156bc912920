"""`/healthz/`: database, Redis, broker and worker, each "ok", "down" or "not configured";
200 when everything configured is ok, 503 otherwise. "Down" is a real refused connection on
a closed local port, never a mock."""

import time

import pytest
from django.urls import reverse

from conftest import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_worker_answers():
    from core.health import forget_worker_answers

    forget_worker_answers()
    yield
    forget_worker_answers()


def _get(client):
    started = time.monotonic()
    response = client.get(reverse("core:healthz"))
    return response, time.monotonic() - started


def test_embedded_defaults_report_not_configured_and_200(client, settings):
    from config.celery import app

    settings.REDIS_URL = ""
    saved = app.conf.broker_url
    app.conf.broker_url = "memory://"
    try:
        response, _ = _get(client)
    finally:
        app.conf.broker_url = saved

    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "redis": "not configured",
        "broker": "not configured",
        "worker": "not configured",
    }
    assert response["Cache-Control"] == "no-store"


@pytest.mark.realservices
def test_real_redis_and_broker_ok_with_eager_celery(client):
    from config.celery import app

    app.conf.task_always_eager = True  # eager Celery, as locally (the fixture restores it)
    response, _ = _get(client)

    assert response.status_code == 200
    # Eager Celery runs tasks in-process: no worker is expected.
    assert response.json() == {
        "database": "ok",
        "redis": "ok",
        "broker": "ok",
        "worker": "not configured",
    }


def test_redis_refusing_connections_is_down_and_503_fast(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"

    response, elapsed = _get(client)

    assert response.status_code == 503
    assert response.json()["redis"] == "down"
    assert response.json()["database"] == "ok"
    assert elapsed < 3


def test_broker_refusing_connections_is_down_with_its_worker(client, celery_broker_down):
    response, elapsed = _get(client)

    assert response.status_code == 503
    body = response.json()
    assert body["broker"] == "down"
    assert body["worker"] == "down"
    assert elapsed < 3


@pytest.mark.realservices
@pytest.mark.django_db(transaction=True)
def test_worker_ok_when_a_real_worker_answers_and_down_without_one(client):
    from celery.contrib.testing.worker import start_worker
    from celery.result import _set_task_join_will_block, task_join_will_block

    from config.celery import app
    from core.health import forget_worker_answers

    assert not app.conf.task_always_eager  # realservices: tasks go through the broker

    response, elapsed = _get(client)
    assert response.status_code == 503
    assert response.json()["worker"] == "down"
    assert elapsed < 3

    blocking_before = task_join_will_block()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            forget_worker_answers()  # as if the 5 s the "down" answer is reused had passed
            response, _ = _get(client)
    finally:
        _set_task_join_will_block(blocking_before)

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "redis": "ok", "broker": "ok", "worker": "ok"}


@pytest.mark.realservices
def test_a_worker_answer_is_reused_for_a_few_seconds_not_pinged_per_probe(
    client, settings, monkeypatch
):
    """A control ping is a broadcast that waits up to 1 s when no worker answers: a probe
    polled by a load balancer reuses the last answer for HEALTH_WORKER_CACHE_SECONDS."""
    from config.celery import app

    assert not app.conf.task_always_eager
    pings = []
    real_ping = app.control.ping

    def counted_ping(*args, **kwargs):  # the real ping through Redis, counted
        pings.append(1)
        return real_ping(*args, **kwargs)

    monkeypatch.setattr(app.control, "ping", counted_ping)
    settings.HEALTH_WORKER_CACHE_SECONDS = 60

    first = [_get(client)[0] for _ in range(3)]
    assert [r.json()["worker"] for r in first] == ["down"] * 3
    assert [r.status_code for r in first] == [503] * 3
    assert len(pings) == 1

    settings.HEALTH_WORKER_CACHE_SECONDS = 0  # no reuse: every probe pings
    for _ in range(2):
        _get(client)
    assert len(pings) == 3


def test_only_get(client):
    assert client.post(reverse("core:healthz")).status_code == 405
