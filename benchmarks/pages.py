"""Pages against Django's own floor, in one run: req/s, p50/p99, ratio to the floor, queries
and bytes, at two data sizes.

    python benchmarks/pages.py                        # sizes 20 and 2,000 webinars
    python benchmarks/pages.py --large 10000 --requests 400
    python benchmarks/pages.py --profile /webinars/   # cProfile of one page, in-process

Everything runs on 127.0.0.1: PostgreSQL (database `h_perf_bench` by default, created if
missing and flushed for each size), no Redis (eager Celery, in-memory channel layer), and the
production HTTP topology of docs/deploy.md: gunicorn, 3 sync workers, DEBUG off, persistent
connections (DB_CONN_MAX_AGE=60). The floor runs under the same gunicorn settings: a Django
app in this module (same database, minimal middleware) with a trivial view (`/floor/`) and a
hot-row view (`/hot/`: SELECT ... FOR UPDATE plus UPDATE of one shared row, in a transaction).

The load generator is Python threads with keep-alive http.client connections (wrk is not
installed here), bounded by --requests per burst and --seconds per burst; it shares the two
CPU cores with the servers, so it caps every figure (floor and project alike). Bursts are
interleaved (floor, page, floor, page...) so a load change on the machine hits both. On a
machine shared with other work the absolute figures are floors, not capacities: read the
ratios.

Data per size (`--small`, `--large` webinars): that many open upcoming webinars (plus as many
ended ones, which the list must not scan), one with 50 attendees; a client ("many") with
`--bookings-small`/`--bookings-large` past webinar seats and past 1:1 sessions and 3 upcoming
of each.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import http.client
import io
import os
import pstats
import statistics
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.support import ensure_database  # noqa: E402

HOT_TABLE = "bench_hot_row"

# ---- the floor: a minimal Django app served by gunicorn (`pages:floor_application`) --------

_floor = None


def floor_application(environ, start_response):
    """WSGI entry of the floor server (built on the first request of each worker)."""
    global _floor
    if _floor is None:
        _floor = _build_floor()
    return _floor(environ, start_response)


def _build_floor():
    import environ as django_environ
    from django.conf import settings
    from django.db import connection, transaction
    from django.http import HttpResponse
    from django.urls import path

    def trivial(request):
        return HttpResponse("ok")

    def hot(request):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT n FROM {HOT_TABLE} WHERE id = 1 FOR UPDATE")
            cursor.execute(f"UPDATE {HOT_TABLE} SET n = n + 1 WHERE id = 1")
        return HttpResponse("ok")

    database = django_environ.Env.db_url_config(os.environ["DATABASE_URL"])
    database["CONN_MAX_AGE"] = 60
    database["CONN_HEALTH_CHECKS"] = True
    settings.configure(
        DEBUG=False,
        SECRET_KEY="floor-benchmark-only",
        ALLOWED_HOSTS=["127.0.0.1"],
        ROOT_URLCONF=__name__,
        DATABASES={"default": database},
        MIDDLEWARE=["django.middleware.common.CommonMiddleware"],
        INSTALLED_APPS=[],
    )
    globals()["urlpatterns"] = [path("floor/", trivial), path("hot/", hot)]
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


# ---- data ----------------------------------------------------------------------------------


def configure(url: str) -> None:
    ensure_database(url)
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="false",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,testserver",
        DB_CONN_MAX_AGE="60",
        LOG_LEVEL="WARNING",
        CELERY_TASK_ALWAYS_EAGER="true",
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {HOT_TABLE} (id int PRIMARY KEY, n bigint)")
        cursor.execute(f"INSERT INTO {HOT_TABLE} VALUES (1, 0) ON CONFLICT DO NOTHING")


def seed(webinars_wanted: int, bookings_wanted: int) -> dict:
    """Flush and seed one data size; returns the URLs and the session cookies."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import Coach, User
    from bookings.models import Booking, SessionType
    from webinars.models import Registration, Webinar, WebinarSlot

    call_command("flush", interactive=False, verbosity=0)
    now = timezone.now()
    password = make_password(None)

    def user(email: str, first: str) -> User:
        return User.objects.create(
            email=email, first_name=first, last_name="Bench", password=password,
            timezone="Europe/Zurich",
        )  # fmt: skip

    coach_user = user("coach@pages.bench", "Coach")
    coach = Coach.objects.create(user=coach_user)
    many = user("many@pages.bench", "Many")
    attendee = user("attendee@pages.bench", "Attendee")

    def webinars(n: int, sign: int, offset_days: float) -> list[Webinar]:
        rows = Webinar.objects.bulk_create(
            Webinar(
                coach=coach, title=f"Bench webinar {sign} {i}", description="Bench. " * 40,
                price=Decimal("120.00"), currency="CHF", max_attendees=100,
                status=Webinar.Status.SCHEDULED if sign > 0 else Webinar.Status.COMPLETED,
                vat_rate=Decimal("8.1"), platform_fee_percent=Decimal("15"),
            )
            for i in range(n)
        )  # fmt: skip
        slots = []
        for i, w in enumerate(rows):
            start = now + sign * dt.timedelta(days=offset_days, minutes=37 * i)
            slots.append(WebinarSlot(webinar=w, start=start, end=start + dt.timedelta(hours=2)))
        WebinarSlot.objects.bulk_create(slots)
        return rows

    upcoming = webinars(webinars_wanted, 1, 1)
    ended = webinars(max(webinars_wanted, bookings_wanted), -1, 3)
    popular = upcoming[0]
    people = User.objects.bulk_create(
        User(email=f"p{i}@pages.bench", first_name="P", last_name=str(i), password=password)
        for i in range(50)
    )

    def seat(w, u, status="confirmed"):
        return Registration(
            webinar=w, user=u, status=status, amount=w.price, currency="CHF",
            confirmed_at=now - dt.timedelta(days=10),
        )  # fmt: skip

    Registration.objects.bulk_create(
        [seat(popular, p) for p in people]
        + [seat(popular, attendee)]
        + [seat(w, many) for w in upcoming[1:4]]
        + [seat(w, many) for w in ended[:bookings_wanted]]
    )
    session_type = SessionType.objects.create(coach=coach, name="Bench session")
    Booking.objects.bulk_create(
        Booking(
            coach=coach, client=many, session_type=session_type, title="1:1 Coaching",
            start=now + sign * dt.timedelta(days=2 + i), timezone="Europe/Zurich",
            end=now + sign * dt.timedelta(days=2 + i) + dt.timedelta(hours=1),
            status=Booking.Status.CONFIRMED if sign > 0 else Booking.Status.COMPLETED,
            booking_type=Booking.Type.FIRM, currency="CHF", amount_total=Decimal("150.00"),
        )
        for sign, count in ((1, 3), (-1, bookings_wanted))
        for i in range(count)
    )  # fmt: skip

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would after a bulk load

    def cookie(u) -> str:
        store = SessionStore()
        store["_auth_user_id"] = str(u.pk)
        store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        store["_auth_user_hash"] = u.get_session_auth_hash()
        store.create()
        return f"sessionid={store.session_key}"

    return {
        "pages": [
            ("/healthz/", "/healthz/", ""),
            ("/webinars/", "/webinars/", ""),
            ("detail, anonymous", f"/webinars/{popular.pk}/", ""),
            ("detail, attendee", f"/webinars/{popular.pk}/", cookie(attendee)),
            ("My Bookings (many)", "/bookings/mine/", cookie(many)),
            ("My Bookings page 3", "/bookings/mine/?webinars=3&sessions=3", cookie(many)),
        ],
    }


def in_process(pages) -> dict:
    """Queries and bytes of each page (Django test client, same settings)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    figures = {}
    for name, url, cookie in pages:
        client = Client()
        if cookie:
            key, _, value = cookie.partition("=")
            client.cookies[key] = value
        client.get(url)  # warm
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        figures[name] = (len(ctx.captured_queries), len(response.content))
    return figures


# ---- load ----------------------------------------------------------------------------------


def serve(app: str, port: int, extra: list[str]) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", app, "-b", f"127.0.0.1:{port}", "-w", "3",
         "--log-level", "warning", *extra],
        cwd=ROOT, env=os.environ.copy(), start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/floor/" if "floor" in app else "/healthz/")
            conn.getresponse().read()
            return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit(f"{app} did not start on port {port}")


def burst(port, url, cookie, *, total: int, threads: int, seconds: float) -> dict:
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    per_thread = max(1, total // threads)
    headers = {"Cookie": cookie} if cookie else {}

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(per_thread):
            if time.monotonic() > stop_at:
                break
            started = time.perf_counter()
            conn.request("GET", url, headers=headers)
            response = conn.getresponse()
            response.read()
            took = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(took)
                failures[0] += response.status != 200

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "failures": failures[0],
    }


def measure(pages, args) -> dict:
    floor = serve("pages:floor_application", args.port + 1, ["--pythonpath", "benchmarks"])
    project = serve("config.wsgi:application", args.port, [])
    results: dict[str, dict] = {}
    try:
        kw = {"total": args.requests, "threads": args.threads, "seconds": args.seconds}
        for _ in range(args.repeat):
            for name, url, cookie in [("floor (trivial)", "/floor/", ""), *pages]:
                port = args.port + 1 if url == "/floor/" else args.port
                if name != "floor (trivial)":
                    floor_now = burst(args.port + 1, "/floor/", "", **kw)
                    results.setdefault("floor (trivial)", []).append(floor_now)
                results.setdefault(name, []).append(burst(port, url, cookie, **kw))
            results.setdefault("floor (hot row)", []).append(
                burst(args.port + 1, "/hot/", "", **kw)
            )
    finally:
        for server in (project, floor):
            server.terminate()
            server.wait(timeout=20)
    return {name: _median(runs) for name, runs in results.items()}


def _median(runs: list[dict]) -> dict:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def profile(url: str, cookie: str) -> None:
    from django.test import Client

    client = Client()
    if cookie:
        key, _, value = cookie.partition("=")
        client.cookies[key] = value
    client.get(url)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(10):
        client.get(url)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)
    print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/h_perf_bench")
    parser.add_argument("--small", type=int, default=20)
    parser.add_argument("--large", type=int, default=2000)
    parser.add_argument("--bookings-small", type=int, default=10)
    parser.add_argument("--bookings-large", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=300, help="requests per burst (cap)")
    parser.add_argument("--seconds", type=float, default=10, help="seconds per burst (cap)")
    parser.add_argument("--threads", type=int, default=8, help="client connections")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--profile", metavar="URL", help="cProfile one page (large data)")
    args = parser.parse_args()
    configure(args.database_url)

    if args.profile:
        data = seed(args.large, args.bookings_large)
        cookie = next((c for _, u, c in data["pages"] if u == args.profile), "")
        profile(args.profile, cookie)
        return

    sizes = [(args.small, args.bookings_small), (args.large, args.bookings_large)]
    report = []
    for webinars, bookings in sizes:
        data = seed(webinars, bookings)
        report.append(
            ((webinars, bookings), in_process(data["pages"]), measure(data["pages"], args))
        )

    print("\nFigures are floors: this machine is shared (2 cores, other work running), and the")
    print(f"Python load generator ({args.threads} threads, keep-alive) shares the cores with the")
    print("servers. gunicorn 3 sync workers, DEBUG off, DB_CONN_MAX_AGE=60, for floor and project.")
    print("Targets: ratio >= 0.25 of the trivial floor, p99 < 150 ms, same bytes at both sizes.\n")
    for (webinars, bookings), static, load in report:
        floor = load["floor (trivial)"]["rps"]
        print(f"== {webinars} webinars, client with {bookings} past seats and sessions ==")
        head = ("page", "req/s", "p50 ms", "p99 ms", "ratio", "queries", "bytes")
        print("{:24} {:>7} {:>7} {:>7} {:>6} {:>7} {:>8}".format(*head))
        for name, figures in load.items():
            queries, size = static.get(name, ("", ""))
            ratio = figures["rps"] / floor if floor else 0
            fails = f"  ({int(figures['failures'])} non-200)" if figures["failures"] else ""
            print(
                f"{name:24} {figures['rps']:7.0f} {figures['p50']:7.1f} {figures['p99']:7.1f}"
                f" {ratio:6.2f} {queries!s:>7} {size!s:>8}{fails}"
            )
        print()


if __name__ == "__main__":
    main()
