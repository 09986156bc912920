"""Fixtures shared by every test layer.

Layers (see scripts/test): the default run (unit + integration), `-m websocket` (async
Channels tests) and `-m browser` (Playwright + Debian's Chromium) run as separate pytest
processes because pytest-asyncio and pytest-playwright cannot share one event loop.

The default layer may run on pytest-xdist workers (scripts/test: `-n`, `--dist loadgroup`).
Each worker is isolated: pytest-django gives it its own test database (test_<name>_gw0, ...),
tests/xdist_plugin.py its own Redis db (channel layer, Celery broker and results, cache all
follow REDIS_URL), `free_port` its own range of ports (localstripe, the stand-ins,
the closed "service down" ports) and pytest its own tmp_path root (media, mail sinks, PDFs).
The `realservices` tests and the modules racing threads run one at a time, in collection
order, on one worker (`xdist_group`, honoured by tests/xdist_plugin.py, which also keeps
pytest-django's order: no worker runs a plain `db` test after a transactional one).
"""

from __future__ import annotations

import functools
import itertools
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

# pytest-xdist: a Redis db per worker, and xdist_group honoured (tests/xdist_plugin.py).
pytest_plugins = ["tests.xdist_plugin"]

ROOT = Path(__file__).resolve().parent
HAS_REDIS = bool(os.environ.get("REDIS_URL"))


# Ports below the kernel's ephemeral range (32768-60999 on Linux), shared out among xdist workers.
WORKER_PORTS = range(20000, 32000)


def _xdist_worker() -> tuple[int, int] | None:
    """(index, count) of this pytest-xdist worker (gw3 -> 3), None outside xdist."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not name.startswith("gw"):
        return None
    return int(name[2:]), int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))


def _worker_port_candidates():
    index, count = _xdist_worker() or (0, 1)
    span = len(WORKER_PORTS) // max(count, 1)
    # A replacement for a crashed worker (gw2 of 2) reuses the first ranges: its peer is gone.
    first = WORKER_PORTS.start + (index % max(count, 1)) * span
    start = random.randrange(span)
    return (first + (start + step) % span for step in itertools.count())


_worker_ports = None


def free_port() -> int:
    """A port on 127.0.0.1 where nothing listens right now, for a server the test starts (or
    keeps closed). Outside xdist the kernel picks one. On an xdist worker the ports come, in
    turn, from that worker's own range, so two workers never hand out the same port between
    one's check and its server's bind, and a worker never hands out one port twice in a row."""
    global _worker_ports
    if _xdist_worker() is None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]
    if _worker_ports is None:
        _worker_ports = _worker_port_candidates()
    for _attempt in range(len(WORKER_PORTS)):
        port = next(_worker_ports)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:  # taken by someone else on this machine
                continue
            return port
    raise RuntimeError("no free port left in this xdist worker's range")


def wait_for_http(url: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up within {timeout}s")


@pytest.fixture(autouse=True)
def _test_settings(request, settings, tmp_path):
    """Emails land in django.core.mail.outbox; media files in a throwaway folder."""
    if "browser" not in request.keywords:
        # A fast hasher: PBKDF2 costs ~0.3 s per factory user on these machines. Not for
        # browser tests: their server process (default hashers) must verify the passwords.
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    # Throttle counters (discount codes) live in the cache: one fresh cache per test, so the
    # wrong codes of one test never count against another (and Redis is never flushed).
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{request.node.nodeid}",
        }
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): action()` runs what the action queued with `on_commit` when the block
    ends, as the commit of a real request or task would: tests see the after-commit effects
    (emails, pushes, tasks) without `transaction=True` and its flush of every table."""
    return functools.partial(django_capture_on_commit_callbacks, execute=True)


@pytest.fixture
def stripe_down(settings):
    """Stripe is unreachable: the gateway points at a closed port on 127.0.0.1 (a real
    connection refusal, no mock)."""
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{free_port()}"
    settings.STRIPE_LOCAL_MODE = True
    return settings.STRIPE_API_BASE


@pytest.fixture(autouse=True)
def _documents_only_where_tested(request, monkeypatch):
    """Every completed payment issues an invoice, every refund a credit note and every payout
    a self-billed invoice, each a WeasyPrint PDF (0.3-3 s here); with eager Celery every paid
    test would pay for that.
    Invoicing's own tests, tests marked `invoicing` and the browser layer (its own server
    process) keep the listeners; elsewhere only the invoicing ones are left out."""
    if (
        "invoicing" in request.keywords
        or "browser" in request.keywords
        or request.path.is_relative_to(ROOT / "invoicing")
    ):
        return
    from payments import events
    from payments.payouts import hooks

    for registry, name in (
        (events, "_payment_completed"),
        (events, "_refund_recorded"),
        (hooks, "_BEFORE"),  # self-billing: the agreement check and the SBI before a transfer
    ):
        listeners = getattr(registry, name)
        kept = [fn for fn in listeners if not fn.__module__.startswith("invoicing")]
        monkeypatch.setattr(registry, name, kept)


def missing_real_services() -> list[str]:
    """What a `realservices` test lacks here: Redis (REDIS_URL) and PostgreSQL (DATABASE_URL)."""
    missing = []
    if not HAS_REDIS:
        missing.append("REDIS_URL (Redis)")
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        missing.append("DATABASE_URL=postgres://... (PostgreSQL)")
    return missing


@pytest.hookimpl(tryfirst=True)  # before tests/xdist_plugin.py reads the xdist_group marks
def pytest_collection_modifyitems(config, items):
    """`realservices` tests skip at collection on embedded defaults (no database set up or
    flushed for them); with REQUIRE_REAL_SERVICES=1 (CI) they run and fail in setup instead."""
    from tests.concurrency import race

    for item in items:
        races = getattr(getattr(item, "module", None), "race", None) is race
        if "realservices" in item.keywords or races:
            # Real services and modules racing threads (tests/concurrency.py): with `--dist
            # loadgroup` (scripts/test) they run on one worker, one after the other, so thread
            # races on 2 cores stay as in a serial run and the pairs that rely on their order
            # (tests/test_celery_realservices.py) keep it. Inert without xdist.
            item.add_marker(pytest.mark.xdist_group("realservices"))
    missing = missing_real_services()
    if not missing or os.environ.get("REQUIRE_REAL_SERVICES") == "1":
        return
    skip = pytest.mark.skip(reason=f"needs real services, missing {' and '.join(missing)}")
    for item in items:
        if "realservices" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _real_services_or_fail(request):
    """With REQUIRE_REAL_SERVICES=1 (CI) a `realservices` test without them is a failure."""
    if "realservices" not in request.keywords:
        return
    missing = missing_real_services()
    if missing:
        reason = f"needs real services, missing {' and '.join(missing)}"
        pytest.fail(f"{reason}; REQUIRE_REAL_SERVICES=1 makes this a failure", pytrace=False)


@pytest.fixture(autouse=True)
def _celery_eager_by_default(request, settings):
    """Task effects are asserted synchronously in the default layer; tests marked
    `realservices` run tasks through the real Redis broker and a real worker instead."""
    from config.celery import app

    eager = "realservices" not in request.keywords
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = previous
    # A test that ran an in-process worker (start_worker) leaves the whole process marked as
    # "inside a worker", after which every later EagerResult.get() refuses to run.
    from celery.result import _set_task_join_will_block

    _set_task_join_will_block(False)
    if not eager and HAS_REDIS:
        # Whatever this test queued and no worker took (emails, pushes) would otherwise wait
        # in our Redis db and be run by the next worker there against another database.
        _purge_celery_queues(app)


def _purge_celery_queues(app) -> None:
    try:
        app.control.purge()
    except Exception as error:  # Redis gone at teardown: the test already reported it
        print(f"could not purge the Celery queues: {error!r}", file=sys.stderr)


@pytest.fixture
def celery_not_eager():
    """Tasks go to the broker (in-memory without REDIS_URL, our Redis db with it) and wait
    there: no worker runs in this test. Yields the (task name, args) published; purged after."""
    from celery.signals import before_task_publish

    from config.celery import app

    app.conf.task_always_eager = False  # _celery_eager_by_default restores it
    published = []

    def record(sender=None, body=None, **_kwargs):
        published.append((sender, list(body[0])))

    before_task_publish.connect(record, weak=False)
    try:
        yield published
    finally:
        before_task_publish.disconnect(record)
        _purge_celery_queues(app)


@pytest.fixture
def celery_broker_down():
    """Tasks are published to a Redis broker on a port where nothing listens (a real refused
    connection, no mock). The project's publish retry policy applies: each task gives up after
    ~0.6 s (3 quick retries) and raises kombu's OperationalError."""
    from config.celery import app

    saved = {key: app.conf[key] for key in ("broker_url", "broker_write_url", "task_always_eager")}

    def use_new_connection():
        app._pool = None  # the cached broker connection pools follow broker_url again
        app.amqp._producer_pool = None

    app.conf.broker_url = app.conf.broker_write_url = f"redis://127.0.0.1:{free_port()}/0"
    app.conf.task_always_eager = False
    use_new_connection()
    try:
        yield
    finally:
        for key, value in saved.items():
            app.conf[key] = value
        use_new_connection()


@pytest.fixture(scope="session")
def localstripe_server(tmp_path_factory):
    """A private localstripe for this test process, started through our launcher."""
    port = free_port()
    var_dir = tmp_path_factory.mktemp("localstripe")
    webhook_url = os.environ.get("TEST_WEBHOOK_URL", "")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "payments.localstripe",
            "--port",
            str(port),
            "--var-dir",
            str(var_dir),
            "--from-scratch",
            *(["--webhook-url", webhook_url] if webhook_url else []),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{base}/js.stripe.com/v3/")
        yield {"base": base, "port": port, "var_dir": var_dir, "process": proc}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def localstripe(localstripe_server, settings):
    """Point the Stripe gateway at the test localstripe, with an empty store."""
    base = localstripe_server["base"]
    requests.delete(f"{base}/_config/data", timeout=5)
    settings.STRIPE_API_BASE = base
    settings.STRIPE_LOCAL_MODE = True
    settings.STRIPE_SECRET_KEY = "sk_test_localstripe"
    settings.STRIPE_JS_URL = f"{base}/js.stripe.com/v3/"
    return localstripe_server
