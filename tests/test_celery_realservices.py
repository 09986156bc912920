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


def _waiting_in_default_queue() -> int:
    """Messages waiting in the default queue of our Redis broker db (Redis drops an empty
    queue's list, so a queue that is not there holds nothing)."""
    from amqp.exceptions import ChannelError

    from config.celery import app

    with app.connection_for_read() as connection:
        try:
            declared = connection.default_channel.queue_declare(
                queue=app.conf.task_default_queue, passive=True
            )
        except ChannelError:
            return 0
        return declared.message_count


def test_a_task_left_in_the_queue_by_a_test_without_a_worker():
    """First of a pair (run in this order): leaves a task queued with no worker to take it."""
    from notifications.tasks import push_bell

    push_bell.apply_async(args=[0])
    assert _waiting_in_default_queue() >= 1


def test_the_next_test_starts_with_an_empty_queue():
    """Second of the pair: the root conftest purged what the previous test left behind, so a
    later worker on this Redis db never runs it against another test's database."""
    assert _waiting_in_default_queue() == 0
