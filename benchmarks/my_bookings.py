"""My Bookings (/bookings/mine/) as a client's history grows: one request in-process, DEBUG off,
the production settings of benchmarks/pages.py, PostgreSQL.

    python benchmarks/my_bookings.py                     # 10, 1,000 and 10,000 past rows
    python benchmarks/my_bookings.py --sizes 10 10000 --explain

For each size the database is flushed and a client gets that many past webinar seats (each
on its own ended webinar, the newest ended 3 days ago, so the latest month is still open for
reviews) and that many past 1:1 sessions, plus 3 upcoming of each. Prints, per size and page
(the first page, and a page in the middle of the history reached through the page's own
"Older" links: `deep_url`), the median and best of --repeat requests, the query count, and
the slowest queries with their time; --explain adds EXPLAIN ANALYZE of the slowest ones.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import statistics
import sys
import time
from decimal import Decimal
from html import unescape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.support import bulk_webinars, ensure_database  # noqa: E402


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


def seed(n: int):
    """Flush, then a coach and a client with `n` past seats and sessions (+3 upcoming each)."""
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from accounts.models import Coach, User
    from bookings.models import Booking, SessionType
    from webinars.models import Registration

    call_command("flush", interactive=False, verbosity=0)
    now = timezone.now()
    password = make_password(None)
    coach = Coach.objects.create(
        user=User.objects.create(email="coach@mine.bench", first_name="Coach", password=password)
    )
    client = User.objects.create(
        email="many@mine.bench", first_name="Many", password=password, timezone="Europe/Zurich"
    )
    # a second client with the same history: the page must not scan other people's rows
    other = User.objects.create(email="other@mine.bench", first_name="Other", password=password)

    upcoming = bulk_webinars(coach, 3, sign=1, offset_days=3, now=now, description="Bench.")
    ended = bulk_webinars(coach, n, sign=-1, offset_days=3, now=now, description="Bench.")
    Registration.objects.bulk_create(
        (
            Registration(
                webinar=w,
                user=u,
                status="confirmed",
                amount=w.price,
                currency="CHF",
                confirmed_at=now - dt.timedelta(days=400),
            )  # fmt: skip
            for w in upcoming + ended
            for u in (client, other)
        ),
        batch_size=2000,
    )
    session_type = SessionType.objects.create(coach=coach, name="Bench session")
    Booking.objects.bulk_create(
        (
            Booking(
                coach=coach,
                client=u,
                session_type=session_type,
                title=f"Session {sign} {i}",
                start=now + sign * dt.timedelta(days=2, hours=3 * i) + shift,
                end=now + sign * dt.timedelta(days=2, hours=3 * i) + shift + dt.timedelta(hours=1),
                timezone="Europe/Zurich",
                status=Booking.Status.CONFIRMED if sign > 0 else Booking.Status.COMPLETED,
                booking_type=Booking.Type.FIRM,
                currency="CHF",
                amount_total=Decimal("150.00"),
            )  # fmt: skip
            for sign, count in ((1, 3), (-1, n))
            for i in range(count)
            for u, shift in ((client, dt.timedelta(0)), (other, dt.timedelta(minutes=90)))
        ),
        batch_size=2000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would after a bulk load
    return client


OLDER = re.compile(r'href="([^"]*)"[^>]*rel="next"')


def deep_url(client, hops: int) -> str:
    """The URL `hops` "Older" links down both past lists (the links the page itself renders:
    page numbers before keyset pagination, cursors after)."""
    url = "/bookings/mine/"
    first = client.get(url).content.decode()
    if re.search(r'href="\?[^"]*webinars=2', first):  # page numbers: jump straight there
        return f"/bookings/mine/?webinars={hops + 1}&sessions={hops + 1}"
    for _ in range(hops):
        links = OLDER.findall(client.get(url).content.decode())
        if not links:
            break
        # the last pager is the sessions one: follow both (the webinars link keeps the other)
        url = "/bookings/mine/" + unescape(links[0])
        later = OLDER.findall(client.get(url).content.decode())
        if len(later) > 1:
            url = "/bookings/mine/" + unescape(later[-1])
    return url


def measure(client, url: str, repeat: int):
    from django.db import connection

    client.get(url)  # warm
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    queries: list[tuple[float, str]] = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = (time.perf_counter() - started) * 1000
            text = connection.ops.last_executed_query(context["cursor"], sql, params)
            queries.append((took, text))

    with connection.execute_wrapper(timed):
        client.get(url)
    return statistics.median(times), min(times), queries


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/h_mybookings_bench"
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 1000, 10000])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--hops", type=int, default=0, help="Older links to the deep page")
    parser.add_argument("--slowest", type=int, default=4)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    configure(args.database_url)
    from django.test import Client

    summary = []
    for n in args.sizes:
        user = seed(n)
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        hops = args.hops or max(1, n // 40)
        pages = [("first page", "/bookings/mine/"), ("deep page", deep_url(client, hops))]
        for name, url in pages:
            median, best, queries = measure(client, url, args.repeat)
            summary.append((n, name, median, best, len(queries)))
            print(f"\n== {n} past rows, {name} {url[:90]}: median {median:.1f} ms, "
                  f"best {best:.1f} ms, {len(queries)} queries "
                  f"({sum(t for t, _ in queries):.1f} ms in SQL) ==")  # fmt: skip
            for took, sql in sorted(queries, reverse=True)[: args.slowest]:
                print(f"  {took:7.2f} ms  {sql[:220]}")
                if args.explain and took > 1:
                    print("    " + explain(sql).replace("\n", "\n    "))
    print("\nsize   page         median ms  best ms  queries")
    for n, name, median, best, count in summary:
        print(f"{n:<6} {name:12} {median:9.1f} {best:8.1f} {count:8}")


if __name__ == "__main__":
    main()
