"""Emails per second through the outbox: notify() -> outbox row -> Celery task -> SMTP.

Everything runs on this machine against 127.0.0.1: PostgreSQL (database `h3_bench`, created
if missing), Redis db 3 as the Celery broker, a real Celery worker subprocess and our own
SMTP sink (`notifications.smtp_sink`) in this process. Bounded: --count emails per mode.

    python benchmarks/email_outbox.py --count 500 --concurrency 2

Prints three figures:
  notify      notify() calls/s (render text+HTML in the recipient's zone, write the in-app row
              and the outbox row, commit); the worker is stopped so this is the producer cost
  in-process  outbound_email_send() in a loop (claim row, SMTP session, mark sent): one sender
  celery      end to end through the broker and a worker with --concurrency processes: from the
              first task queued to the last row marked sent
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.support import celery_worker_argv, ensure_database  # noqa: E402


def configure(args) -> dict:
    env = {
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{args.smtp_port}",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    return env


def wait_for_worker(app, timeout: float = 60) -> None:
    from core.tasks import ping

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if ping.delay("bench").get(timeout=5) == "pong:bench":
                return
        except Exception:
            time.sleep(0.5)
    raise RuntimeError("the Celery worker did not answer")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--smtp-port", type=int, default=8325)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/h3_bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/3")
    args = parser.parse_args()
    args.count = max(1, min(args.count, 20_000))

    env = configure(args)
    ensure_database(args.database_url)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from accounts.models import User
    from config.celery import app
    from notifications import emails
    from notifications.models import Notification, OutboundEmail
    from notifications.services import notify
    from notifications.smtp_sink import ThreadedSmtpSink
    from notifications.types import NotificationType

    OutboundEmail.objects.all().delete()
    Notification.objects.all().delete()
    app.control.purge()
    recipient = User.objects.create_user(email=f"bench-{time.time_ns()}@example.com")

    with ThreadedSmtpSink(port=args.smtp_port, keep_messages=False) as sink:
        # 1. Producer cost: notify() with no worker running (tasks wait in Redis).
        started = time.perf_counter()
        for number in range(args.count):
            notify(
                recipient=recipient,
                type=NotificationType.CONNECTION_REQUESTED,
                context={"requester_name": f"Bench {number}"},
            )
        notify_seconds = time.perf_counter() - started
        app.control.purge()  # the in-process sender takes these rows instead

        # 2. One sender in this process.
        ids = list(OutboundEmail.objects.values_list("pk", flat=True))
        started = time.perf_counter()
        for email_id in ids:
            emails.outbound_email_send(email_id=email_id)
        inprocess_seconds = time.perf_counter() - started
        assert sink.received == args.count, (sink.received, args.count)

        # 3. Through the broker and a worker.
        OutboundEmail.objects.update(status=OutboundEmail.Status.QUEUED, sent_at=None)
        worker = subprocess.Popen(
            celery_worker_argv(name="bench", concurrency=args.concurrency),
            cwd=ROOT,
            env={**os.environ, **env},
        )
        try:
            wait_for_worker(app)
            from notifications.tasks import send_outbound_email

            received_before = sink.received
            started = time.perf_counter()
            for email_id in ids:
                send_outbound_email.delay(email_id)
            deadline = time.monotonic() + 600
            while OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count() < len(ids):
                if time.monotonic() > deadline:
                    raise RuntimeError("worker did not finish in 10 minutes")
                time.sleep(0.05)
            celery_seconds = time.perf_counter() - started
            delivered = sink.received - received_before
        finally:
            worker.terminate()
            worker.wait(timeout=30)

    n = args.count
    print(f"emails: {n}, SMTP sink on 127.0.0.1:{args.smtp_port}, PostgreSQL + Redis broker")
    print(f"notify      {n / notify_seconds:8.1f} calls/s   ({notify_seconds:.2f} s)")
    print(f"in-process  {n / inprocess_seconds:8.1f} emails/s  ({inprocess_seconds:.2f} s)")
    print(
        f"celery      {n / celery_seconds:8.1f} emails/s  ({celery_seconds:.2f} s, "
        f"worker concurrency {args.concurrency}, delivered {delivered}, duplicates "
        f"{delivered - n})"
    )
    OutboundEmail.objects.all().delete()
    Notification.objects.all().delete()


if __name__ == "__main__":
    main()
