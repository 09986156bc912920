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
