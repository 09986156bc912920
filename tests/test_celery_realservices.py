"""A task through the real Redis broker to a real worker (CI's real-services run)."""

import pytest
from django.conf import settings

from core.tasks import ping

pytestmark = [pytest.mark.realservices, pytest.mark.django_db(transaction=True)]


def test_task_round_trip_through_redis_broker_and_worker():
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    assert app.conf.broker_url.startswith("redis://")
    assert not app.conf.task_always_eager  # the realservices fixture turned eager mode off

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        result = ping.delay("hello")
        assert result.get(timeout=30) == "pong:hello"

    assert result.successful()
    assert settings.CELERY_RESULT_BACKEND.startswith("redis://")
