"""Live "spots left" fan-out: from the Stripe webhook's commit to the last of N websocket
clients (default 200) watching one webinar receiving the update.

Topology as in production: daphne (one process, 127.0.0.1:8350) serves /ws/, the Redis channel
layer (db 3) carries the push, one Celery worker (solo pool) renders it (the webhook only
queues the render task on commit, see notifications/live.py), and the webhook is applied in
*this* process (standing in for the gunicorn worker that receives Stripe's POST) through
`payments.webhooks.webhook_process` with a real signed payment_intent.succeeded event
produced by localstripe (our launcher, 127.0.0.1:8351). PostgreSQL database `h3_bench`
(created if missing).

Each round books a seat through the real services (hold, PaymentIntent, saved card, confirm),
waits until the clients have seen the hold's update, then applies the webhook inside a
transaction whose first on-commit hook stamps the commit time; every client stamps the
arrival of its next frame with the same monotonic clock.

    python benchmarks/websocket_fanout.py --clients 200 --rounds 5

Environment overrides: BENCH_DATABASE_URL, BENCH_REDIS_URL, BENCH_DAPHNE_PORT,
BENCH_LOCALSTRIPE_PORT.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import os
import statistics
import struct
import subprocess
import sys
import threading
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.support import celery_worker_argv, ensure_database  # noqa: E402

# Overridable to run inside another port range: BENCH_DAPHNE_PORT / BENCH_LOCALSTRIPE_PORT.
DAPHNE_PORT = int(os.environ.get("BENCH_DAPHNE_PORT", "8350"))
LOCALSTRIPE_PORT = int(os.environ.get("BENCH_LOCALSTRIPE_PORT", "8351"))


# --- a minimal websocket client (RFC 6455; enough for server-to-client text frames) ----------


class Client:
    def __init__(self, index: int):
        self.index = index
        self.frames: list[tuple[float, str]] = []
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.closed_because = ""

    async def connect(self, port: int, path: str) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", port)
        key = base64.b64encode(os.urandom(16)).decode()
        self.writer.write(
            (
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                f"Sec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1:{port}\r\n\r\n"
            ).encode()
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise RuntimeError(f"client {self.index}: handshake refused: {head[:80]!r}")

    def _send(self, opcode: int, payload: bytes) -> None:
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.writer.write(bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked)

    async def listen(self) -> None:
        try:
            while True:
                first, second = await self.reader.readexactly(2)
                length = second & 0x7F
                if length == 126:
                    (length,) = struct.unpack("!H", await self.reader.readexactly(2))
                elif length == 127:
                    (length,) = struct.unpack("!Q", await self.reader.readexactly(8))
                payload = await self.reader.readexactly(length)
                opcode = first & 0x0F
                if opcode == 0x1:
                    self.frames.append((time.perf_counter(), payload.decode()))
                elif opcode == 0x9:  # ping -> pong
                    self._send(0xA, payload)
                elif opcode == 0x8:
                    self.closed_because = f"close frame {payload[:2].hex()}"
                    return
        except (asyncio.IncompleteReadError, ConnectionError) as error:
            self.closed_because = repr(error)

    def close(self) -> None:
        if self.writer is not None:
            with contextlib.suppress(Exception):
                self._send(0x8, struct.pack("!H", 1000))
            self.writer.close()


class ClientFleet:
    """N clients on an event loop in a background thread."""

    def __init__(self, count: int, path: str):
        self.clients = [Client(i) for i in range(count)]
        self.path = path
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self) -> float:
        self.thread.start()
        started = time.perf_counter()
        asyncio.run_coroutine_threadsafe(self._connect_all(), self.loop).result(timeout=120)
        return time.perf_counter() - started

    async def _connect_all(self) -> None:
        semaphore = asyncio.Semaphore(50)

        async def one(client):
            async with semaphore:
                await client.connect(DAPHNE_PORT, self.path)
            self.loop.create_task(client.listen())

        await asyncio.gather(*(one(c) for c in self.clients))

    def frame_count(self) -> int:
        return sum(len(c.frames) for c in self.clients)

    def stop(self) -> None:
        def close_all():
            for client in self.clients:
                client.close()

        self.loop.call_soon_threadsafe(close_all)
        time.sleep(0.5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


# --- setup ---------------------------------------------------------------------------------


def configure() -> dict:
    env = {
        "DATABASE_URL": os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/h3_bench"
        ),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3"),
        "STRIPE_API_BASE": f"http://127.0.0.1:{LOCALSTRIPE_PORT}",
        "SITE_URL": f"http://127.0.0.1:{DAPHNE_PORT}",
        # As in production: tasks go through the Redis broker to one Celery worker (it renders
        # the live pushes and sends the emails); whatever is left is purged after.
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_URL": "memorymail://",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    return env


def wait_for_port(port: int, timeout: float = 30) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


def wait_for_log(path: Path, needle: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and needle in path.read_text(errors="replace"):
            return
        time.sleep(0.2)
    raise RuntimeError(f"{path.name}: {needle!r} not seen within {timeout}s")


def signed_succeeded_event(payment_intent_id: str) -> tuple[bytes, str]:
    """The payment_intent.succeeded event localstripe generated, signed like its webhook."""
    import hashlib
    import hmac
    import json

    import requests
    from django.conf import settings

    events = requests.get(
        f"{settings.STRIPE_API_BASE}/v1/events",
        params={"type": "payment_intent.succeeded"},
        headers={"Authorization": f"Bearer {settings.STRIPE_SECRET_KEY}"},
        timeout=5,
    ).json()["data"]
    event = next(e for e in events if e["data"]["object"]["id"] == payment_intent_id)
    payload = json.dumps(event).encode()
    timestamp = int(time.time())
    signature = hmac.new(
        settings.STRIPE_WEBHOOK_SECRET.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256
    ).hexdigest()
    return payload, f"t={timestamp},v1={signature}"


def book_and_pay(webinar, number: int):
    """A client takes a seat and pays (everything but the webhook)."""
    from accounts.models import User
    from payments import gateway
    from payments.services import customer_ensure, payment_confirm
    from webinars.services import webinar_register

    user = User.objects.create_user(email=f"bench-{time.time_ns()}-{number}@example.com")
    result = webinar_register(webinar_id=webinar.pk, user=user)
    card = gateway.payment_method_attach(
        payment_method_id="pm_card_visa",
        customer_id=customer_ensure(user=user),
        idempotency_key=f"bench-card-{user.pk}",
    )
    payment_confirm(
        user=user,
        payment_intent_id=result.payment.stripe_payment_intent_id,
        payment_method_id=card["id"],
    )
    return result.payment.stripe_payment_intent_id


def wait_quiet(fleet: ClientFleet, quiet_for: float = 1.0, timeout: float = 30) -> None:
    """Until no frame arrived for `quiet_for` seconds (the setup pushes are all delivered)."""
    deadline = time.monotonic() + timeout
    last_count, last_change = fleet.frame_count(), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        count = fleet.frame_count()
        if count != last_count:
            last_count, last_change = count, time.monotonic()
        elif time.monotonic() - last_change >= quiet_for:
            return


def _stamp(into: list[float]) -> None:
    into.append(time.perf_counter())


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    args.clients = max(1, min(args.clients, 1000))
    args.rounds = max(1, min(args.rounds, 50))

    env = configure()
    ensure_database(env["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", verbosity=0)

    from accounts.tests.factories import CoachFactory
    from payments.webhooks import webhook_process
    from webinars.tests.factories import WebinarFactory

    logs = ROOT / "var" / "bench"
    logs.mkdir(parents=True, exist_ok=True)
    processes = []
    fleet = None
    try:
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "payments.localstripe",
                    "--port",
                    str(LOCALSTRIPE_PORT),
                    "--var-dir",
                    str(logs / "localstripe"),
                    "--from-scratch",
                ],
                cwd=ROOT,
                env={**os.environ},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "daphne",
                    "-b",
                    "127.0.0.1",
                    "-p",
                    str(DAPHNE_PORT),
                    "config.asgi:application",
                ],
                cwd=ROOT,
                env={**os.environ},
                stdout=open(logs / "daphne.log", "wb"),  # noqa: SIM115
                stderr=subprocess.STDOUT,
            )
        )
        processes.append(
            subprocess.Popen(
                celery_worker_argv(name="fanout", loglevel="INFO"),
                cwd=ROOT,
                env={**os.environ},
                stdout=open(logs / "celery.log", "wb"),  # noqa: SIM115
                stderr=subprocess.STDOUT,
            )
        )
        wait_for_port(LOCALSTRIPE_PORT)
        wait_for_port(DAPHNE_PORT)
        wait_for_log(logs / "celery.log", "ready.")

        webinar = WebinarFactory(
            coach=CoachFactory(user__email=f"bench-coach-{time.time_ns()}@example.com"),
            max_attendees=args.rounds + 10,
            title="Fan-out benchmark",
        )
        fleet = ClientFleet(args.clients, f"/ws/webinars/{webinar.pk}/")
        connect_seconds = fleet.start()

        latencies: list[float] = []
        last_client: list[float] = []
        first_client: list[float] = []
        for number in range(args.rounds):
            intent_id = book_and_pay(webinar, number)
            payload, signature = signed_succeeded_event(intent_id)
            wait_quiet(fleet)
            seen = [len(c.frames) for c in fleet.clients]
            committed_at: list[float] = []
            with transaction.atomic():
                transaction.on_commit(partial(_stamp, committed_at))
                webhook_process(payload=payload, signature=signature)
            deadline = time.monotonic() + 30
            while any(len(c.frames) <= n for c, n in zip(fleet.clients, seen, strict=True)):
                if time.monotonic() > deadline:
                    missing = sum(
                        len(c.frames) <= n for c, n in zip(fleet.clients, seen, strict=True)
                    )
                    lost = [
                        (c.index, len(c.frames), c.closed_because)
                        for c, n in zip(fleet.clients, seen, strict=True)
                        if len(c.frames) <= n
                    ]
                    raise RuntimeError(f"{missing} clients got no update within 30 s: {lost}")
                time.sleep(0.005)
            arrivals = [
                c.frames[n][0] - committed_at[0] for c, n in zip(fleet.clients, seen, strict=True)
            ]
            assert all(
                "spots left" in c.frames[n][1] for c, n in zip(fleet.clients, seen, strict=True)
            )
            latencies.extend(arrivals)
            last_client.append(max(arrivals))
            first_client.append(min(arrivals))
    finally:
        from config.celery import app

        app.control.purge()
        if fleet is not None:
            fleet.stop()
        for proc in reversed(processes):
            proc.terminate()
            proc.wait(timeout=15)

    ms = [value * 1000 for value in latencies]
    last_ms = [value * 1000 for value in last_client]
    first_ms = [value * 1000 for value in first_client]
    print(
        f"clients: {args.clients} on one webinar, rounds: {args.rounds}, daphne x1 + Redis layer, "
        f"connect all: {connect_seconds:.2f} s"
    )
    print(
        f"commit -> client   p50 {statistics.median(ms):7.1f} ms   "
        f"p95 {percentile(ms, 0.95):7.1f} ms   max {max(ms):7.1f} ms"
    )
    print(
        f"commit -> LAST client per round: p50 {statistics.median(last_ms):7.1f} ms   "
        f"max {max(last_ms):7.1f} ms   ({', '.join(f'{v:.0f}' for v in last_ms)})"
    )
    print(
        f"commit -> FIRST client per round: p50 {statistics.median(first_ms):7.1f} ms "
        "(queue to the worker, tasks ahead of the push (emails), rendering, group_send)"
    )


if __name__ == "__main__":
    main()
