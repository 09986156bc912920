"""1:1 sessions at scale: a coach with a year of weekly availability and 2,000 bookings.

Everything runs on this machine against 127.0.0.1: PostgreSQL (database `h4_bench`, created if
missing; the benchmark's coach is rebuilt at every start) or, with --sqlite, a throwaway SQLite
file under var/; and, for the HTTP figures, the production topology: gunicorn with 3 sync
workers (WSGI) on 127.0.0.1:8401. Bounded: --repeat renders per figure, --quotes quotes.

    python benchmarks/sessions_calendar.py                 # PostgreSQL + gunicorn
    python benchmarks/sessions_calendar.py --sqlite --no-http

Prints:
  data          slots and bookings of the coach (weekly Mon-Fri 09:00-20:00 for 52 weeks)
  calendar      GET /coaches/<id>/calendar/?week=... rendered in-process (view + template):
                median / p95 ms and the query count, for a week with bookings
  start times   bookable_starts() for one busy day, 60 min: median ms and query count; and
                GET /coaches/<id>/start-times/ in-process
  quotes        the pricing engine alone (pure, with an evening rate, a special period and a
                code): quotes/s; and GET /prices/quote/ in-process: requests/s and queries
  http          (unless --no-http) the calendar week and the quote endpoint through gunicorn,
                4 client threads: requests/s and p50 latency
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
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

BENCH_EMAIL = "bench-coach@sessions.bench"


def configure(args) -> None:
    if args.sqlite:
        url = f"sqlite:///{ROOT / 'var' / 'bench-sessions.sqlite3'}"
    else:
        url = args.database_url
        ensure_database(url)
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="config.settings",
        LOG_LEVEL="WARNING",
        CELERY_TASK_ALWAYS_EAGER="true",
    )
    os.environ.pop("REDIS_URL", None)
    args.resolved_database_url = url


def build_data(bookings_wanted: int):
    """The coach, a year of weekday availability (through the service, in the coach's zone)
    and `bookings_wanted` confirmed 60-minute bookings spread over it."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Coach
    from accounts.roles import make_coach
    from bookings import scheduling
    from bookings.models import Booking, DiscountCode, SessionType, SpecialPeriod, TimeBasedRate
    from bookings.services import availability

    User = get_user_model()
    old = User.objects.filter(email=BENCH_EMAIL).first()
    if old is not None:
        Booking.objects.filter(coach__user=old).delete()
        User.objects.filter(email__endswith="@client.bench").delete()
        old.delete()
    user = User.objects.create_user(
        email=BENCH_EMAIL,
        password="bench",
        first_name="Bench",
        last_name="Coach",
        timezone="Europe/Zurich",
    )
    make_coach(user)
    coach = Coach.objects.get(user=user)
    Coach.objects.filter(pk=coach.pk).update(hourly_rate=Decimal("150.00"), currency="CHF")
    coach.refresh_from_db()
    session_type = SessionType.objects.create(
        coach=coach,
        name="1:1 Coaching",
        buffer_before_minutes=0,
        buffer_after_minutes=15,
        min_notice_hours=2,
        require_approval_non_connected=False,
    )
    TimeBasedRate.objects.create(
        coach=coach,
        name="Evening",
        weekdays=[0, 1, 2, 3, 4],
        start_time=dt.time(18),
        end_time=dt.time(0),
        percent=Decimal("20"),
    )
    today = timezone.now().astimezone(coach.user.tzinfo).date()
    SpecialPeriod.objects.create(
        coach=coach,
        name="Summer",
        start_date=today + dt.timedelta(days=150),
        end_date=today + dt.timedelta(days=180),
        hourly_rate=Decimal("120"),
    )
    DiscountCode.objects.create(coach=coach, code="BENCH10", value=Decimal("10"))

    first = today + dt.timedelta(days=1)
    for start in range(0, 52, 26):  # the service takes at most 60 weeks per series
        availability.availability_add_weekly(
            coach=coach,
            weekdays=[0, 1, 2, 3, 4],
            start_time=dt.time(9),
            end_time=dt.time(20),
            first_date=first + dt.timedelta(weeks=start),
            last_date=first + dt.timedelta(weeks=start + 26) - dt.timedelta(days=1),
            instant_booking=True,
        )
    clients = [
        User(email=f"c{i}@client.bench", first_name="Client", last_name=str(i)) for i in range(50)
    ]
    for client in clients:
        client.set_unusable_password()
    User.objects.bulk_create(clients)
    clients = list(User.objects.filter(email__endswith="@client.bench"))
    hours = [9, 10, 11, 13, 14, 15, 16, 17]
    made = 0
    day = first
    tz = coach.user.tzinfo
    with transaction.atomic():
        while made < bookings_wanted:
            if day.weekday() < 5:
                for hour in hours:
                    if made >= bookings_wanted:
                        break
                    start = scheduling.local_datetime(day, dt.time(hour), tz)
                    end = start + dt.timedelta(hours=1)
                    pieces = availability.carve(coach=coach, start=start, end=end)
                    Booking.objects.create(
                        coach=coach,
                        client=clients[made % len(clients)],
                        session_type=session_type,
                        title="1:1 Coaching",
                        start=start,
                        end=end,
                        timezone="Europe/Zurich",
                        status=Booking.Status.CONFIRMED,
                        booking_type=Booking.Type.FIRM,
                        buffer_after_minutes=15,
                        currency="CHF",
                        amount_total=Decimal("150.00"),
                        consumed_availability=pieces,
                    )
                    made += 1
            day += dt.timedelta(days=1)
    return coach, session_type, first


def timed(fn, repeat: int) -> tuple[float, float, int]:
    """(median ms, p95 ms, queries of one call)."""
    from django.db import connection

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1], len(queries)


def in_process(coach, session_type, first, args) -> dict:
    from zoneinfo import ZoneInfo

    from django.test import Client
    from django.utils import timezone

    from bookings import pricing, scheduling, selectors

    client = Client(HTTP_HOST="127.0.0.1")
    week = first + dt.timedelta(weeks=20)
    busy_day = week + dt.timedelta(days=(2 - week.weekday()) % 7)
    calendar_url = f"/coaches/{coach.pk}/calendar/?week={week.isoformat()}"
    assert client.get(calendar_url).status_code == 200
    figures = {"calendar": timed(lambda: client.get(calendar_url), args.repeat)}
    tz = ZoneInfo("Europe/Zurich")
    figures["starts"] = timed(
        lambda: selectors.bookable_starts(
            coach=coach,
            session_type=session_type,
            day=busy_day,
            duration=60,
            viewer_tz=tz,
            now=timezone.now(),
        ),
        args.repeat,
    )
    query = f"session_type={session_type.pk}&date={busy_day}&duration=60"
    starts_url = f"/coaches/{coach.pk}/start-times/?{query}"
    figures["starts_http"] = timed(lambda: client.get(starts_url), args.repeat)
    starts = selectors.bookable_starts(
        coach=coach,
        session_type=session_type,
        day=busy_day,
        duration=60,
        viewer_tz=tz,
        now=timezone.now(),
    )
    figures["free_starts"] = len(starts)

    evening = scheduling.local_datetime(busy_day, dt.time(17, 30), tz)
    windows, periods = selectors.pricing_rules(coach, session_type)
    request = pricing.PriceRequest(
        hourly_rate=Decimal("150"),
        currency="CHF",
        start=evening,
        end=evening + dt.timedelta(minutes=90),
        tz=tz,
        vat_rate=Decimal("8.1"),
        vat_included=True,
        platform_fee_percent=Decimal("15"),
        time_rates=windows,
        special_periods=periods,
        code=pricing.CodeDiscount("BENCH10", "percent", Decimal("10")),
    )
    started = time.perf_counter()
    for _ in range(args.quotes):
        pricing.price_session(request)
    figures["engine_qps"] = args.quotes / (time.perf_counter() - started)
    quote_url = (
        f"/prices/quote/?coach={coach.pk}&session_type={session_type.pk}&start={evening.isoformat()}"
        f"&duration=90&code=BENCH10"
    ).replace("+", "%2B")
    assert client.get(quote_url, HTTP_ACCEPT="application/json").status_code == 200
    median, p95, queries = timed(
        lambda: client.get(quote_url, HTTP_ACCEPT="application/json"), args.repeat
    )
    figures["quote_endpoint"] = (median, p95, queries)
    figures["urls"] = (calendar_url, quote_url)
    return figures


def http_figures(args, urls) -> dict:
    """The same URLs through gunicorn (3 sync workers), 4 client threads, bounded requests."""
    import http.client

    env = {**os.environ, "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "DB_CONN_MAX_AGE": "60"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "-b",
            f"127.0.0.1:{args.port}",
            "-w",
            "3",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    results = {}
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=2)
                conn.request("GET", "/healthz/")
                conn.getresponse().read()
                break
            except OSError:
                time.sleep(0.2)
        for name, url in zip(("calendar", "quote"), urls, strict=True):
            results[name] = burst(args.port, url, args.http_requests, threads=4)
    finally:
        server.terminate()
        server.wait(timeout=20)
    return results


def burst(port: int, url: str, total: int, *, threads: int) -> tuple[float, float]:
    import http.client

    latencies: list[float] = []
    lock = threading.Lock()
    per_thread = total // threads

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(per_thread):
            started = time.perf_counter()
            conn.request(
                "GET",
                url,
                headers={"Accept": "application/json" if "quote" in url else "text/html"},
            )
            response = conn.getresponse()
            response.read()
            assert response.status == 200, response.status
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, statistics.median(latencies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/h4_bench")
    parser.add_argument("--sqlite", action="store_true", help="use a throwaway SQLite file instead")
    parser.add_argument("--bookings", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--quotes", type=int, default=2000)
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--http-requests", type=int, default=200)
    parser.add_argument("--port", type=int, default=8401)
    args = parser.parse_args()
    configure(args)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    coach, session_type, first = build_data(args.bookings)
    from bookings.models import AvailabilitySlot, Booking

    slots = AvailabilitySlot.objects.filter(coach=coach).count()
    bookings = Booking.objects.filter(coach=coach).count()
    built = time.perf_counter() - started
    print(f"database     {args.resolved_database_url.split('@')[-1]}")
    print(f"data         {slots} availability slots, {bookings} bookings (built in {built:.1f} s)")
    figures = in_process(coach, session_type, first, args)
    median, p95, queries = figures["calendar"]
    print(
        f"calendar     one week, view + template: median {median:.1f} ms, p95 {p95:.1f} ms, "
        f"{queries} queries"
    )
    median, p95, queries = figures["starts"]
    print(
        f"start times  one day ({figures['free_starts']} free starts): median {median:.1f} ms, "
        f"p95 {p95:.1f} ms, {queries} queries"
    )
    median, p95, queries = figures["starts_http"]
    print(f"             GET /start-times/ in-process: median {median:.1f} ms, {queries} queries")
    print(
        f"quotes       pricing engine: {figures['engine_qps']:,.0f} quotes/s "
        "(90 min, evening rate + code)"
    )
    median, p95, queries = figures["quote_endpoint"]
    print(
        f"             GET /prices/quote/ in-process: median {median:.1f} ms "
        f"({1000 / median:,.0f}/s), {queries} queries"
    )
    if not args.no_http:
        results = http_figures(args, figures["urls"])
        for name, (rps, p50) in results.items():
            print(
                f"http         {name}: {rps:,.0f} req/s, p50 {p50:.1f} ms "
                "(gunicorn 3 sync workers, 4 clients)"
            )
    if args.sqlite:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{ROOT / 'var' / 'bench-sessions.sqlite3'}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
