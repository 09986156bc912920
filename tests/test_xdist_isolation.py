"""The unit + integration layer runs on pytest-xdist workers (scripts/test); each must have its
own test database, Redis db and ports (conftest.py), or one worker's flush, purge or server
would land in the other's tests."""

import os
import socket

import pytest
from django.conf import settings
from django.db import connection

import conftest
from conftest import WORKER_PORTS, free_port
from tests.xdist_plugin import GROUPED_RUN_HERE, redis_url_for_worker, scope_of


def test_a_worker_adds_its_index_to_the_redis_db():
    assert redis_url_for_worker("redis://127.0.0.1:6379/14", 0) == "redis://127.0.0.1:6379/14"
    assert redis_url_for_worker("redis://127.0.0.1:6379/14", 1) == "redis://127.0.0.1:6379/15"
    assert redis_url_for_worker("redis://127.0.0.1:6379", 1) == "redis://127.0.0.1:6379/1"
    assert (
        redis_url_for_worker("rediss://:secret@redis.internal:6380/2", 3)
        == "rediss://:secret@redis.internal:6380/5"
    )


@pytest.mark.parametrize("index", [0, 1])
def test_each_worker_hands_out_ports_from_its_own_range_never_twice(monkeypatch, index):
    monkeypatch.setenv("PYTEST_XDIST_WORKER", f"gw{index}")
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", "2")
    monkeypatch.setattr(conftest, "_worker_ports", None)  # this "worker" starts its sequence
    span = len(WORKER_PORTS) // 2
    own = range(WORKER_PORTS.start + index * span, WORKER_PORTS.start + (index + 1) * span)

    ports = [free_port() for _ in range(50)]

    assert all(port in own for port in ports)
    assert len(set(ports)) == 50
    with socket.socket() as s:  # and the port handed out is really free
        s.bind(("127.0.0.1", ports[-1]))


def test_a_port_taken_on_the_machine_is_skipped(monkeypatch):
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", "2")
    monkeypatch.setattr(conftest, "_worker_ports", None)
    first = free_port()
    monkeypatch.setattr(conftest, "_worker_ports", None)
    monkeypatch.setattr(conftest.random, "randrange", lambda _span: first - WORKER_PORTS.start)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", first))
        taken.listen()

        assert free_port() == first + 1


on_a_worker = pytest.mark.skipif(
    not os.environ.get("PYTEST_XDIST_WORKER"), reason="only on a pytest-xdist worker"
)


@on_a_worker
@pytest.mark.django_db
def test_this_worker_has_its_own_test_database():
    worker = os.environ["PYTEST_XDIST_WORKER"]
    assert connection.settings_dict["NAME"].endswith(f"_{worker}")


@pytest.mark.skipif(
    not os.environ.get("TEST_CONTROLLER_REDIS_URL"),
    reason="only on a pytest-xdist worker, with REDIS_URL",
)
def test_this_worker_has_its_own_redis_db_for_channels_celery_and_cache():
    from config.celery import app

    index = int(os.environ["PYTEST_XDIST_WORKER"].removeprefix("gw"))
    own = redis_url_for_worker(os.environ["TEST_CONTROLLER_REDIS_URL"], index)

    assert own == settings.REDIS_URL
    assert settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]["address"] == own
    assert own == settings.CELERY_BROKER_URL
    assert own == settings.CELERY_RESULT_BACKEND
    assert app.conf.broker_url == own
    assert app.conf.result_backend == own


@pytest.mark.realservices
@pytest.mark.django_db(transaction=True)  # with the races and the Celery pair (scope_of)
def test_the_realservices_tests_before_this_one_ran_in_this_process(request):
    """They share one xdist group: with `--dist loadgroup` (scripts/test) one worker runs them
    all, in collection order (tests/xdist_plugin.py), so thread races never overlap and the
    ordered pair in tests/test_celery_realservices.py keeps its meaning."""
    assert request.node.get_closest_marker("xdist_group").args == ("realservices",)
    scope = scope_of(request.node)
    assert scope == "realservices#1"  # pytest-django's transactional tests
    earlier = request.session.items[: request.session.items.index(request.node)]
    before = [item.nodeid for item in earlier if scope_of(item) == scope]
    if not before:
        pytest.skip("no test of this group was selected before this one")

    ran_elsewhere = [nodeid for nodeid in before if nodeid not in GROUPED_RUN_HERE]
    assert ran_elsewhere == [], "realservices tests spread over workers: use --dist loadgroup"
