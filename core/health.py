"""Readiness checks behind `/healthz/`: each service is "ok", "down" or "not configured".

Every check is bounded (≤ 1 s connect/read) and catches everything it can raise: a check that
fails for any reason reports the service "down" rather than turning the probe into a 500."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection

OK, DOWN, NOT_CONFIGURED = "ok", "down", "not configured"
TIMEOUT = 1.0  # seconds, per service


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
    try:
        replies = app.control.ping(timeout=TIMEOUT, limit=1)
    except Exception:
        return DOWN
    return OK if replies else DOWN


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
