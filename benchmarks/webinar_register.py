"""Webinar registration under a burst: N clients race for S seats, then pay; plus query counts.

Everything runs on this machine against 127.0.0.1: PostgreSQL (database `h2_bench`, created
if missing and flushed at start), Redis db 2 (channel layer and Celery broker; without
--celery-worker no worker is started: queued emails and live pushes stay queued and are
purged at the end), localstripe through our launcher, and the production HTTP topology:
gunicorn with sync workers (WSGI). Bounded: at most --rounds x --clients registrations.
With --celery-worker one Celery worker (solo pool) runs next to gunicorn and does the queued
work (live pushes, emails, refunds).

    python benchmarks/webinar_register.py --clients 50 --seats 20 --rounds 3

Prints, per run:
  register      POST /webinars/<id>/register/ (JSON): requests/s over the burst, p50/p95 latency,
                holds taken (200) and refused as full (403); each hold includes creating the
                Stripe customer and PaymentIntent at localstripe after the seat-hold commit
  pay+webhooks  every hold pays (POST /payments/confirm/ with a saved card); localstripe posts
                signed payment_intent.succeeded webhooks to the server; time until all seats
                are confirmed, confirmed count and overbooked count (must be 0)
  trivial       GET /healthz/ with the same server and client: requests/s, p50; the ratio
                register/trivial shows what the seat lock and Stripe calls cost
  queries       queries of the webinar detail page and of My Bookings at 10 and 1,000
                attendees/bookings (must not grow)
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.support import (  # noqa: E402
    celery_worker_argv,
    ensure_database,
    signed_in_session_key,
)


def configure(args) -> None:
    os.environ.update(
        {
            "DATABASE_URL": args.database_url,
            "REDIS_URL": args.redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "STRIPE_API_BASE": f"http://127.0.0.1:{args.localstripe_port}",
            "SITE_URL": f"http://127.0.0.1:{args.port}",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "LOG_LEVEL": "WARNING",
            # Persistent connections, as production runs gunicorn (not a per-request connect).
            "DB_CONN_MAX_AGE": "60",
            "VAR_DIR": str(Path(args.var_dir).resolve()),
        }
    )


def wait_for(url_host: str, port: int, path: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(url_host, port, timeout=2)
            conn.request("GET", path)
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"http://{url_host}:{port}{path} did not come up")


def start_processes(args) -> list[subprocess.Popen]:
    var_dir = Path(args.var_dir)
    var_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    localstripe = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "payments.localstripe",
            "--port",
            str(args.localstripe_port),
            "--var-dir",
            str(var_dir / "localstripe"),
            "--from-scratch",
            "--webhook-url",
            f"http://127.0.0.1:{args.port}/payments/stripe/webhook/",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-w",
            str(args.workers),
            "-b",
            f"127.0.0.1:{args.port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(var_dir / "gunicorn.log", "w"),  # noqa: SIM115
    )
    processes = [localstripe, server]
    if args.celery_worker:
        # The production shape: a worker renders the live pushes and sends the emails (on the
        # same 2 cores as gunicorn, so the work still costs CPU here, just not request time).
        processes.append(
            subprocess.Popen(
                celery_worker_argv(name="bench"),
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=open(var_dir / "celery.log", "w"),  # noqa: SIM115
            )
        )
    try:
        wait_for("127.0.0.1", args.localstripe_port, "/js.stripe.com/v3/")
        wait_for("127.0.0.1", args.port, "/healthz/")
    except Exception:
        stop(processes)
        raise
    return processes


def stop(processes: list[subprocess.Popen]) -> None:
    for proc in processes:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


# --- clients ------------------------------------------------------------------------------------


class Browser:
    """One logged-in client: a session cookie, a CSRF token and a keep-alive connection."""

    def __init__(self, port: int, user):
        from django.middleware.csrf import _get_new_csrf_string

        self.user = user
        self.csrf = _get_new_csrf_string()
        self.cookie = f"sessionid={signed_in_session_key(user)}; csrftoken={self.csrf}"
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def post(self, path: str, body: dict | None = None) -> tuple[int, dict, float]:
        payload = json.dumps(body or {})
        headers = {
            "Cookie": self.cookie,
            "X-CSRFToken": self.csrf,
            "Accept": "application/json",
            "Content-Type": "application/json",
        }
        started = time.perf_counter()
        self.conn.request("POST", path, body=payload, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - started
        try:
            parsed = json.loads(data or b"{}")
        except ValueError:
            parsed = {}
        return response.status, parsed, elapsed


def burst(count: int, action) -> tuple[list, float]:
    """Run action(i) in `count` threads released together; returns (results, wall seconds)."""
    barrier = threading.Barrier(count + 1)
    results: list = [None] * count

    def worker(index: int) -> None:
        barrier.wait()
        try:
            results[index] = action(index)
        except Exception as exc:  # reported below
            results[index] = exc

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


# --- the runs -----------------------------------------------------------------------------------


def make_people(count: int, tag: str) -> list:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    users = [
        User(
            email=f"bench-{tag}-{i}@example.com",
            first_name="Bench",
            last_name=f"{tag} {i}",
            password="!unusable",
        )
        for i in range(count)
    ]
    User.objects.bulk_create(users)
    return list(User.objects.filter(email__startswith=f"bench-{tag}-").order_by("pk"))


def register_round(args, coach, round_no: int) -> dict:
    from payments.tests.stripe_helpers import saved_card
    from webinars.models import Registration
    from webinars.tests.factories import WebinarFactory

    webinar = WebinarFactory(coach=coach, max_attendees=args.seats, title=f"Bench {round_no}")
    browsers = [Browser(args.port, u) for u in make_people(args.clients, f"r{round_no}")]
    path = f"/webinars/{webinar.pk}/register/"
    results, wall = burst(args.clients, lambda i: browsers[i].post(path))
    errors = [r for r in results if isinstance(r, Exception)]
    ok = [(b, r) for b, r in zip(browsers, results, strict=True) if not isinstance(r, Exception)]
    latencies = [r[2] for _, r in ok]
    holds = [(b, r[1]) for b, r in ok if r[0] == 200]
    full = sum(1 for _, r in ok if r[0] == 403)
    other = sorted({r[0] for _, r in ok if r[0] not in (200, 403)})

    # Pay: each hold's user saves a card (what the Card Element does) and confirms.
    for browser, _ in holds:
        browser.user.refresh_from_db(fields=["stripe_customer_id"])
        browser.card = saved_card(browser.user)
    pay_started = time.perf_counter()
    paid, _ = burst(
        len(holds),
        lambda i: holds[i][0].post(
            "/payments/confirm/",
            {
                "payment_intent_id": holds[i][1]["payment_intent_id"],
                "payment_method_id": holds[i][0].card,
            },
        ),
    )
    pay_errors = [p for p in paid if isinstance(p, Exception) or p[0] != 200]
    deadline = time.monotonic() + 60
    confirmed = 0
    while time.monotonic() < deadline:
        confirmed = Registration.objects.filter(webinar=webinar, status="confirmed").count()
        if confirmed >= len(holds) - len(pay_errors):
            break
        time.sleep(0.1)
    webhook_seconds = time.perf_counter() - pay_started
    live = Registration.objects.filter(webinar=webinar, status__in=["held", "confirmed"]).count()
    for browser in browsers:
        browser.conn.close()
    return {
        "wall": wall,
        "latencies": latencies,
        "holds": len(holds),
        "full": full,
        "other": other,
        "errors": len(errors),
        "pay_errors": len(pay_errors),
        "confirmed": confirmed,
        "overbooked": max(0, live - args.seats),
        "webhook_seconds": webhook_seconds,
    }


def trivial_throughput(args) -> tuple[float, float]:
    per_thread = args.trivial_requests // args.trivial_concurrency
    latencies: list[float] = []
    lock = threading.Lock()

    def worker(_index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
        mine = []
        for _ in range(per_thread):
            started = time.perf_counter()
            conn.request("GET", "/healthz/")
            conn.getresponse().read()
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(mine)

    _, wall = burst(args.trivial_concurrency, worker)
    return len(latencies) / wall, statistics.median(latencies)


def query_counts(coach) -> dict[str, tuple[int, int]]:
    """Queries of the detail page (as an attendee) and My Bookings at 10 and 1,000 rows."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from webinars.models import Material, Registration, Webinar, WebinarSlot
    from webinars.tests.factories import WebinarFactory

    def count(client, url) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        return len(ctx.captured_queries)

    def add_attendees(webinar, people):
        Registration.objects.bulk_create(
            Registration(
                webinar=webinar,
                user=u,
                status="confirmed",
                amount=webinar.price,
                currency="CHF",
                price_reason="regular",
                confirmed_at=timezone.now(),
            )
            for u in people
        )

    results = {}
    webinar = WebinarFactory(coach=coach, max_attendees=2000, title="Query count")
    people = make_people(1000, "q")
    add_attendees(webinar, people[:10])
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(people[0])
    url = f"/webinars/{webinar.pk}/"
    at_10 = count(client, url)
    add_attendees(webinar, people[10:])
    results["detail page (attendees)"] = (at_10, count(client, url))

    fan = people[0]
    start = timezone.now() + timezone.timedelta(days=30)

    def add_bookings(n: int, offset: int) -> None:
        webinars = Webinar.objects.bulk_create(
            Webinar(
                coach=coach,
                title=f"Mine {offset + i}",
                price=50,
                max_attendees=10,
                status="scheduled",
            )
            for i in range(n)
        )
        WebinarSlot.objects.bulk_create(
            WebinarSlot(webinar=w, start=start, end=start + timezone.timedelta(hours=1))
            for w in webinars
        )
        Material.objects.bulk_create(
            Material(webinar=w, title="Notes", url="https://example.com/notes") for w in webinars
        )
        add_attendees_many = [
            Registration(
                webinar=w,
                user=fan,
                status="confirmed",
                amount=50,
                currency="CHF",
                price_reason="regular",
                confirmed_at=timezone.now(),
            )
            for w in webinars
        ]
        Registration.objects.bulk_create(add_attendees_many)

    add_bookings(9, 0)  # + the query-count webinar above = 10
    at_10 = count(client, "/bookings/mine/")
    add_bookings(990, 9)
    results["My Bookings (bookings)"] = (at_10, count(client, "/bookings/mine/"))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seats", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8210)
    parser.add_argument("--localstripe-port", type=int, default=8211)
    parser.add_argument("--trivial-requests", type=int, default=3000)
    parser.add_argument("--trivial-concurrency", type=int, default=20)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/h2_bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/2")
    parser.add_argument("--var-dir", default="var/bench-webinar")
    parser.add_argument(
        "--celery-worker",
        action="store_true",
        help="also run one Celery worker (live pushes, emails); default: tasks stay queued",
    )
    args = parser.parse_args()
    args.clients = max(2, min(args.clients, 200))
    args.rounds = max(1, min(args.rounds, 10))
    args.trivial_requests = max(100, min(args.trivial_requests, 20_000))

    configure(args)
    ensure_database(args.database_url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    from accounts.tests.factories import CoachFactory

    coach = CoachFactory()
    processes = start_processes(args)
    try:
        rounds = [register_round(args, coach, n) for n in range(args.rounds)]
        trivial_rps, trivial_p50 = trivial_throughput(args)
    finally:
        stop(processes)
        from config.celery import app

        app.control.purge()  # the emails queued without a worker (our own Redis db)
    counts = query_counts(coach)

    latencies = [lat for r in rounds for lat in r["latencies"]]
    register_rps = sum(args.clients for _ in rounds) / sum(r["wall"] for r in rounds)
    print(
        f"webinar_register: {args.clients} clients race for {args.seats} seats, "
        f"{args.rounds} round(s); gunicorn {args.workers} sync workers; PostgreSQL; localstripe"
        + ("; 1 Celery worker" if args.celery_worker else "; no Celery worker (tasks queued)")
    )
    print(
        f"  register      {register_rps:7.1f} requests/s"
        f"   p50 {1000 * statistics.median(latencies):6.1f} ms"
        f"   p95 {1000 * percentile(latencies, 95):6.1f} ms"
    )
    for n, r in enumerate(rounds):
        print(
            f"    round {n}: holds {r['holds']}  full(403) {r['full']}  other {r['other'] or '-'}"
            f"  errors {r['errors']}  | paid+webhooks: confirmed {r['confirmed']}"
            f"  overbooked {r['overbooked']}  pay errors {r['pay_errors']}"
            f"  all confirmed after {r['webhook_seconds']:.2f} s"
        )
    print(
        f"  confirmed     {sum(r['confirmed'] for r in rounds)}"
        f" of {args.seats * args.rounds} seats,"
        f" overbooked {sum(r['overbooked'] for r in rounds)}"
    )
    print(
        f"  trivial       {trivial_rps:7.1f} requests/s   p50 {1000 * trivial_p50:6.1f} ms"
        f"   (GET /healthz/, {args.trivial_concurrency} concurrent)"
    )
    print(f"  ratio         register/trivial = {register_rps / trivial_rps:.3f}")
    for name, (small, large) in counts.items():
        flag = "constant" if small == large else "GROWS"
        print(f"  queries       {name}: {small} at 10, {large} at 1,000 ({flag})")


if __name__ == "__main__":
    main()
