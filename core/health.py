"""Readiness checks behind `/healthz/`: each service is "ok", "down" or "not configured".

Every check is bounded (≤ 1 s connect/read) and catches everything it can raise: a check that
fails for any reason reports the service "down" rather than turning the probe into a 500."""

from __future__ import annotations

import threading
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection

OK, DOWN, NOT_CONFIGURED = "ok", "down", "not configured"
TIMEOUT = 1.0  # seconds, per service

# The worker ping's answer, per broker URL, reused for settings.HEALTH_WORKER_CACHE_SECONDS
# (default 5) in this process: a Celery control ping is a broadcast that waits for replies
# (up to TIMEOUT when no worker answers), too dear for every probe; a probe polled every few
# seconds still sees a worker outage within that time.
_worker_answers: dict[str, tuple[float, str]] = {}
_worker_answers_lock = threading.Lock()


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return DOWN
    return OK


def _redis_ping(url: str) -> str:
    import redis

    try:
        client = redis.Redis.from_url(
            url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT, retry_on_timeout=False
        )
        try:
            client.ping()
        finally:
            client.close()
    except Exception:
        return DOWN
    return OK


def check_redis() -> str:
    url = settings.REDIS_URL
    return _redis_ping(url) if url else NOT_CONFIGURED


def _broker_url() -> str:
    from config.celery import app

    return app.conf.broker_url or ""


def check_broker() -> str:
    url = _broker_url()
    scheme = urlsplit(url).scheme
    if not url or scheme == "memory":
        return NOT_CONFIGURED
    if scheme in {"redis", "rediss"}:
        return _redis_ping(url)
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=TIMEOUT) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=TIMEOUT)
    except Exception:
        return DOWN
    return OK


def check_worker(*, broker: str) -> str:
    """A Celery control ping answered by at least one worker within the timeout. With eager
    Celery (the embedded default) no worker exists: "not configured"."""
    from config.celery import app

    if app.conf.task_always_eager or broker == NOT_CONFIGURED:
        return NOT_CONFIGURED
    if broker != OK:
        return DOWN  # nothing can answer a ping through a broker that is down
    ttl = float(getattr(settings, "HEALTH_WORKER_CACHE_SECONDS", 5))
    key = _broker_url()
    with _worker_answers_lock:  # one ping at a time per process; the others reuse its answer
        now = time.monotonic()
        cached = _worker_answers.get(key)
        if ttl > 0 and cached is not None and cached[0] > now:
            return cached[1]
        try:
            state = OK if app.control.ping(timeout=TIMEOUT, limit=1) else DOWN
        except Exception:
            state = DOWN
        if ttl > 0:
            _worker_answers[key] = (time.monotonic() + ttl, state)
        return state


def forget_worker_answers() -> None:
    """Drop the reused worker answers (tests that start or stop a worker)."""
    with _worker_answers_lock:
        _worker_answers.clear()


def health_report() -> dict[str, str]:
    broker = check_broker()
    return {
        "database": check_database(),
        "redis": check_redis(),
        "broker": broker,
        "worker": check_worker(broker=broker),
    }


def is_healthy(report: dict[str, str]) -> bool:
    return all(state != DOWN for state in report.values())
