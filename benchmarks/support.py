"""Pieces the benchmark scripts share (each script puts the project root on sys.path)."""

from __future__ import annotations

import os
import sys


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named at the end of `url` if it does not exist."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def celery_worker_argv(
    *, name: str, loglevel: str = "WARNING", concurrency: int | None = None
) -> list[str]:
    """A Celery worker of this project: the solo pool unless `concurrency` is given, without
    gossip/mingle/heartbeat so it starts fast and leaves no chatter on the broker."""
    pool = ["--pool", "solo"] if concurrency is None else [f"--concurrency={concurrency}"]
    return [
        sys.executable, "-m", "celery", "-A", "config", "worker", *pool,
        "--loglevel", loglevel, "--hostname", f"{name}-{os.getpid()}@%h",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip


def signed_in_session_key(user) -> str:
    """A session of `user` in the configured session store, as a login would leave it, for
    a `sessionid` cookie (no password check per benchmark client)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def bulk_webinars(coach, count: int, *, sign: int, offset_days: float, now, description: str):
    """`count` webinars of `coach` with one two-hour slot each, `offset_days` (plus 37 minutes
    per webinar) from `now`: upcoming and scheduled for sign 1, ended and completed for -1."""
    import datetime as dt
    from decimal import Decimal

    from webinars.models import Webinar, WebinarSlot

    rows = Webinar.objects.bulk_create(
        Webinar(
            coach=coach, title=f"Bench webinar {sign} {i}", description=description,
            price=Decimal("120.00"), currency="CHF", max_attendees=100,
            status=Webinar.Status.SCHEDULED if sign > 0 else Webinar.Status.COMPLETED,
            vat_rate=Decimal("8.1"), platform_fee_percent=Decimal("15"),
        )
        for i in range(count)
    )  # fmt: skip
    slots = []
    for i, webinar in enumerate(rows):
        start = now + sign * dt.timedelta(days=offset_days, minutes=37 * i)
        slots.append(WebinarSlot(webinar=webinar, start=start, end=start + dt.timedelta(hours=2)))
    WebinarSlot.objects.bulk_create(slots, batch_size=2000)
    return rows
