"""Pages and writes against Django's own floor, in one run: req/s, p50/p99, ratio to the floor,
queries and bytes at two data sizes, then seat holds and webhook finalizations against the
hot-row floor, and our share of a register request.

    python benchmarks/pages.py                        # sizes 20 and 2,000 webinars
    python benchmarks/pages.py --quick                # short bursts, small sizes (development)
    python benchmarks/pages.py --large 10000 --repeat 3
    python benchmarks/pages.py --profile /webinars/   # cProfile of one page, in-process

Everything runs on 127.0.0.1: PostgreSQL (database `h_perf_bench` by default, created if
missing and flushed for each size), Redis (--redis-url, default db 2) for the cache, the
channel layer and the Celery broker as in production when it answers (Celery tasks are then
queued, not run: no worker, purged at the end), else local memory and eager Celery; and the
production HTTP topology of docs/deploy.md: gunicorn, 3 sync workers, DEBUG off, persistent
connections (DB_CONN_MAX_AGE=60). The floor runs under the same gunicorn settings: a Django
app (benchmarks/pages_load.py, same database, minimal middleware) with a trivial view
(`/floor/`) and a hot-row view (`/hot/`: SELECT ... FOR UPDATE plus UPDATE of one shared row).

The load generator is wrk (`-t2 -c20 --latency`) when installed, else Python threads with
keep-alive connections (the output says which); it shares the two CPU cores with the servers.
Bursts are interleaved (floor, page, floor, page...) so a load change on the machine hits
both: on a shared machine read the ratios, not the absolute figures. Writes
(benchmarks/pages_writes.py) run in --processes spawned processes released together, and the
hot-row floor is measured the same way (in-process, same processes) before and after them.

Data per size (`--small`, `--large` webinars): that many open upcoming webinars (plus as many
ended ones, which the list must not scan), one with 50 attendees; a client ("many") with
`--bookings-small`/`--bookings-large` past webinar seats and past 1:1 sessions and 3 upcoming
of each; and the coach of benchmarks/sessions_calendar.py (a year of weekday availability,
`--calendar-bookings` bookings) for the calendar week and /prices/quote/.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import os
import pstats
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import pages_load, pages_writes  # noqa: E402
from benchmarks.pages_load import HOT_TABLE  # noqa: E402
from benchmarks.support import (  # noqa: E402
    bulk_webinars,
    celery_worker_argv,
    ensure_database,
    signed_in_session_key,
)

# ---- data ----------------------------------------------------------------------------------


def redis_reachable(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def configure(args) -> str:
    """Environment for this process, the servers and the writers; returns what backs the
    cache, channel layer and Celery."""
    url = args.database_url
    ensure_database(url)
    os.environ.update(
        DATABASE_URL=url,
        STRIPE_API_BASE=f"http://127.0.0.1:{args.localstripe_port}",
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="false",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,testserver",
        DB_CONN_MAX_AGE="60",
        LOG_LEVEL="WARNING",
    )
    if redis_reachable(args.redis_url):
        os.environ.update(REDIS_URL=args.redis_url, CELERY_TASK_ALWAYS_EAGER="false")
        backing = (
            f"Redis {args.redis_url} (cache, channel layer, Celery broker; one solo worker,"
            " as /healthz/ pings it)"
        )
    else:
        os.environ.pop("REDIS_URL", None)
        os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
        backing = "no Redis: local-memory cache, in-memory channel layer, eager Celery"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {HOT_TABLE} (id int PRIMARY KEY, n bigint)")
        cursor.execute(f"INSERT INTO {HOT_TABLE} VALUES (1, 0) ON CONFLICT DO NOTHING")
    return backing


def seed(webinars_wanted: int, bookings_wanted: int, calendar_bookings: int) -> dict:
    """Flush and seed one data size; returns the URLs and the session cookies."""

    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import Coach, User
    from bookings.models import Booking, SessionType
    from webinars.models import Registration

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

    description = "Bench. " * 40
    upcoming = bulk_webinars(
        coach, webinars_wanted, sign=1, offset_days=1, now=now, description=description
    )
    ended = bulk_webinars(
        coach,
        max(webinars_wanted, bookings_wanted),
        sign=-1,
        offset_days=3,
        now=now,
        description=description,
    )
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
        return f"sessionid={signed_in_session_key(u)}"

    calendar, quote = calendar_pages(calendar_bookings)
    from django.core.cache import cache

    cache.clear()  # our own Redis db (or local memory): no fragment of the previous size
    return {
        "pages": [
            # The project's own floor: a full page through the whole middleware stack and
            # base.html, without a query (anonymous, no session).
            ("login page (no query)", "/accounts/login/", ""),
            ("/healthz/", "/healthz/", ""),
            ("/webinars/", "/webinars/", ""),
            ("detail, anonymous", f"/webinars/{popular.pk}/", ""),
            ("detail, attendee", f"/webinars/{popular.pk}/", cookie(attendee)),
            ("My Bookings (many)", "/bookings/mine/", cookie(many)),
            ("My Bookings page 3", my_bookings_page_3(many), cookie(many)),
            ("coach calendar week", calendar, cookie(attendee)),
            ("/prices/quote/", quote, cookie(attendee)),
        ],
    }


def my_bookings_page_3(user) -> str:
    """The third window of both past lists, as two clicks on each "Older" link reach it
    (keyset cursors: the page costs what the first one does)."""
    from urllib.parse import urlencode

    from django.utils import timezone

    from bookings.selectors import my_past_sessions_page
    from webinars.selectors import PAST_PAGE_SIZE, my_past_webinars_page

    now, params = timezone.now(), {}
    for name, window in (("webinars", my_past_webinars_page), ("sessions", my_past_sessions_page)):
        cursor = None
        for _ in range(2):
            page = window(user=user, now=now, older=cursor, newer=None, size=PAST_PAGE_SIZE)
            cursor = page.next_cursor or cursor
        if cursor:
            params[f"{name}_older"] = cursor
    return "/bookings/mine/" + (f"?{urlencode(params)}" if params else "")


def calendar_pages(bookings: int) -> tuple[str, str]:
    """The coach of benchmarks/sessions_calendar.py: a week 20 weeks out (booked) and an
    evening quote with a code on a free hour of that week."""
    from zoneinfo import ZoneInfo

    from benchmarks.sessions_calendar import build_data
    from bookings import scheduling

    coach, session_type, first = build_data(bookings)
    week = first + dt.timedelta(weeks=20)
    day = week + dt.timedelta(days=(2 - week.weekday()) % 7)  # a Wednesday
    evening = scheduling.local_datetime(day, dt.time(19), ZoneInfo("Europe/Zurich"))
    quote = (
        f"/prices/quote/?coach={coach.pk}&session_type={session_type.pk}"
        f"&start={evening.isoformat()}&duration=60&code=BENCH10"
    ).replace("+", "%2B")
    return f"/coaches/{coach.pk}/calendar/?week={week.isoformat()}", quote


def in_process(pages) -> dict:
    """Queries and bytes of each page (Django test client, same settings)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    figures = {}
    for name, url, cookie in pages:
        client = Client(HTTP_HOST="127.0.0.1")
        if cookie:
            key, _, value = cookie.partition("=")
            client.cookies[key] = value
        client.get(url)  # warm
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        figures[name] = (len(ctx.captured_queries), len(response.content))
    return figures


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


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/h_perf_bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/2")
    parser.add_argument("--small", type=int, default=20)
    parser.add_argument("--large", type=int, default=2000)
    parser.add_argument("--bookings-small", type=int, default=10)
    parser.add_argument("--bookings-large", type=int, default=1000)
    parser.add_argument("--calendar-bookings", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=10, help="seconds per burst")
    parser.add_argument("--connections", type=int, default=20, help="client connections")
    parser.add_argument("--requests", type=int, default=2000, help="cap per burst (no wrk)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--processes", type=int, default=3, help="writer processes")
    parser.add_argument("--writes", type=int, default=600, help="seat holds / webhooks")
    parser.add_argument("--registers", type=int, default=100, help="register requests")
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--localstripe-port", type=int, default=8793)
    parser.add_argument("--quick", action="store_true", help="short bursts, small sizes")
    parser.add_argument(
        "--profile", metavar="URL", help="cProfile one page (large data): its URL or table name"
    )
    args = parser.parse_args()
    if args.quick:
        args.large, args.bookings_large, args.calendar_bookings = 200, 100, 200
        args.seconds, args.requests, args.repeat = 2, 200, 1
        args.writes, args.registers = 60, 10
    return args


def main() -> None:
    args = arguments()
    backing = configure(args)

    if args.profile:
        data = seed(args.large, args.bookings_large, args.calendar_bookings)
        # a page's URL, or its name in the table ("coach calendar week")
        url, cookie = next(
            ((u, c) for n, u, c in data["pages"] if args.profile in (n, u)), (args.profile, "")
        )
        profile(url, cookie)
        return

    worker = None
    if "Celery broker" in backing:
        from config.celery import app

        app.control.purge()  # our own Redis db: nothing left from an earlier run
        # /healthz/ answers 503 without a worker (core/health.py pings one), as in production.
        worker = subprocess.Popen(
            celery_worker_argv(name="pages-bench"), cwd=ROOT, env=os.environ.copy(),
            start_new_session=True,
        )  # fmt: skip
        wait_for_worker(app)
    try:
        sizes = [(args.small, args.bookings_small), (args.large, args.bookings_large)]
        report = []
        for webinars, bookings in sizes:
            data = seed(webinars, bookings, args.calendar_bookings)
            static = in_process(data["pages"])
            report.append(((webinars, bookings), static, pages_load.measure(data["pages"], args)))
        writes = pages_writes.run_writes(args)
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
    print_report(args, backing, report, writes)


def wait_for_worker(app) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if app.control.ping(timeout=1, limit=1):
            return
    raise SystemExit("the Celery worker did not answer a ping within 60 s")


def print_report(args, backing: str, report: list, writes: dict) -> None:
    print(f"\nload generator: {pages_load.generator_name(args.connections, args.seconds)};")
    print(f"  medians of {args.repeat} interleaved burst(s); gunicorn 3 sync workers, DEBUG off,")
    print(f"  DB_CONN_MAX_AGE=60, for floor and project; {backing}.")
    print("This machine is shared (2 cores): read the ratios, not the absolute figures.\n")
    for (webinars, bookings), static, load in report:
        floor = load["floor (trivial)"]["rps"]
        print(f"== {webinars} webinars, client with {bookings} past seats and sessions,"
              f" coach with {args.calendar_bookings} bookings ==")  # fmt: skip
        head = ("page", "req/s", "p50 ms", "p99 ms", "ratio", "queries", "bytes")
        print("{:24} {:>7} {:>7} {:>7} {:>6} {:>7} {:>8}".format(*head))
        for name, figures in load.items():
            queries, size = static.get(name, ("", ""))
            ratio = figures["rps"] / floor if floor else 0
            fails = f"  ({int(figures['failures'])} non-2xx/3xx)" if figures["failures"] else ""
            print(
                f"{name:24} {figures['rps']:7.0f} {figures['p50']:7.1f} {figures['p99']:7.1f}"
                f" {ratio:6.2f} {queries!s:>7} {size!s:>8}{fails}"
            )
        print()
    floor = writes["floor"]
    print(f"== writes: {args.processes} processes, in-process, against the hot-row floor ==")
    print("{:34} {:>8} {:>6} {:>7}".format("what", "per s", "ratio", "p50 ms"))
    print(f"{'hot-row floor (FOR UPDATE+UPDATE)':34} {floor['per_second']:8.0f}"
          f" {1:6.2f} {floor['p50']:7.1f}")  # fmt: skip
    ratios = {}
    for key, name in (("holds", "seat holds (_hold_seat)"), ("webhooks", "webhook finalizations")):
        row = writes[key]
        ratios[key] = row["per_second"] / floor["per_second"]
        print(f"{name:34} {row['per_second']:8.0f} {ratios[key]:6.2f} {row['p50']:7.1f}")
        print(f"  {'ok' if row['ok'] else 'CHECK FAILED'}: {row['check']}")
    register = writes["register"]
    if "error" in register:
        print(f"register share: not measured ({register['error']})")
    else:
        print(f"register share (minus Stripe calls): p50 {register['p50']:.1f} ms,"
              f" p95 {register['p95']:.1f} ms (whole request p50 {register['total_p50']:.1f} ms;"
              f" statuses {register['statuses']})")  # fmt: skip
    print("\ntargets:")
    _page_targets(report)
    for key, what in (("holds", "seat holds"), ("webhooks", "webhook finalizations")):
        verdict = "met" if ratios[key] >= 0.5 and writes[key]["ok"] else "not met"
        print(f"  {what} >= 0.5 of the hot-row floor: {verdict} ({ratios[key]:.2f})")
    duplicates = "met" if writes["webhooks"]["ok"] else "not met"
    print(f"  webhook duplicates with no effect: {duplicates}")
    if "error" not in register:
        verdict = "met" if register["p50"] < 20 and register["ok"] else "not met"
        print(f"  our share of a register request < 20 ms median: {verdict}"
              f" ({register['p50']:.1f} ms)")  # fmt: skip


FLOORS = ("floor (trivial)", "floor (hot row)", "login page (no query)")


def _page_targets(report: list) -> None:
    """Issue 11's page targets at the large size: >= 0.25 of the trivial floor, p99 < 150 ms,
    the same bytes at both sizes; and the project's own floor (a page without a query), which
    bounds what any page through the same middleware and base template can reach."""
    (_, small_static, _), (_, large_static, large) = report[0], report[-1]
    floor = large["floor (trivial)"]["rps"] or 1
    own = large.get("login page (no query)")
    if own:
        share = own["rps"] / floor
        print(f"  the project's own floor (full stack, base.html, no query): {share:.2f} of the"
              " trivial floor; no page through the same stack can do better")  # fmt: skip
    for name, figures in large.items():
        if name in FLOORS:
            continue
        ratio = figures["rps"] / floor
        same_bytes = small_static.get(name, (0, 0))[1] == large_static.get(name, (0, 0))[1]
        verdicts = [
            f"ratio {ratio:.2f} {'met' if ratio >= 0.25 else 'not met'}",
            f"p99 {figures['p99']:.0f} ms {'met' if figures['p99'] < 150 else 'not met'}",
            f"bytes {'same' if same_bytes else 'differ'} at both sizes",
        ]
        print(f"  {name}: " + "; ".join(verdicts))


if __name__ == "__main__":
    main()
