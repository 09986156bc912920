"""Global search latency (discovery) at growing sizes, in-process (view + template, DEBUG off).

PostgreSQL database `h_search_bench` (created if missing, benchmark rows rebuilt per size) or,
with --sqlite, a throwaway SQLite file under var/ (the icontains path). For each size it
builds size/10 (or --coaches) listed coaches (headline, bio, languages, one session type each)
and `size` open webinars with a slot next month, then times, for a common, a rare and a
misspelt term:

    GET /search/?q=<term>        the full results page (all kinds, page 1)
    GET /search/quick/?q=<term>  the header popover fragment

and prints p50 / p95 / max ms over --repeat requests, the query count, the number of matches,
and (PostgreSQL) EXPLAIN of the webinar match so the GIN index in use is visible.

    python benchmarks/search.py                      # 1,000 and 10,000 webinars
    python benchmarks/search.py --sizes 1000,50000 --repeat 30
    python benchmarks/search.py --sizes 50000 --coaches 10000   # issue 18's size
    python benchmarks/search.py --sqlite --sizes 1000
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.support import ensure_database  # noqa: E402

TOPICS = [
    "leadership",
    "negotiation",
    "career change",
    "public speaking",
    "mindfulness",
    "sales",
    "time management",
    "conflict resolution",
    "feedback",
    "remote teams",
]
WORDS = "growth trust habits clarity focus rituals stories energy teams goals".split()  # noqa: SIM905
TERMS = {"common": "leadership", "rare": "zebrafish", "typo": "negotation"}
DOMAIN = "@search.bench"


def configure(args) -> None:
    if args.sqlite:
        url = f"sqlite:///{ROOT / 'var' / 'bench-search.sqlite3'}"
        (ROOT / "var").mkdir(exist_ok=True)
    else:
        url = args.database_url
        ensure_database(url)
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="config.settings",
        LOG_LEVEL="WARNING",
        CELERY_TASK_ALWAYS_EAGER="true",
        SITE_LAUNCHED="true",
    )
    os.environ.pop("REDIS_URL", None)


def build(size: int, rng: random.Random, n_coaches: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Coach
    from bookings.models import SessionType
    from webinars.models import Webinar, WebinarSlot

    User = get_user_model()
    with transaction.atomic():
        Webinar.objects.filter(coach__user__email__endswith=DOMAIN).delete()
        SessionType.objects.filter(coach__user__email__endswith=DOMAIN).delete()
        User.objects.filter(email__endswith=DOMAIN).delete()
        users = User.objects.bulk_create(
            User(
                email=f"coach{i}{DOMAIN}",
                first_name=rng.choice(["Anna", "Luca", "Mira", "Jonas", "Lea", "Noah"]),
                last_name=f"Bench{i}",
                password="!",
            )
            for i in range(n_coaches)
        )
        coaches = Coach.objects.bulk_create(
            Coach(
                user=u,
                slug=f"bench-{u.pk}",
                headline=f"{rng.choice(TOPICS).title()} coach",
                bio=" ".join(rng.choices(WORDS, k=30)),
                languages=rng.choice(["en", "de,en", "fr", "en,es"]),
                hourly_rate=Decimal(rng.randrange(60, 300)),
            )
            for u in users
        )
        SessionType.objects.bulk_create(
            SessionType(coach=c, name=f"{rng.choice(TOPICS).title()} session") for c in coaches
        )
        webinars = Webinar.objects.bulk_create(
            Webinar(
                coach=rng.choice(coaches),
                title=f"{rng.choice(TOPICS).title()}: {' '.join(rng.choices(WORDS, k=3))}",
                description=" ".join(rng.choices(WORDS, k=60)),
                price=Decimal(rng.randrange(0, 400)),
                max_attendees=20,
                status=Webinar.Status.SCHEDULED,
            )
            for _ in range(size)
        )
        start = timezone.now() + dt.timedelta(days=30)
        WebinarSlot.objects.bulk_create(
            WebinarSlot(webinar=w, start=start, end=start + dt.timedelta(hours=1)) for w in webinars
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def time_get(client, url: str, repeat: int) -> tuple[list[float], int]:
    from django.db import connection

    client.get(url)  # warm
    seen = []

    def count(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, url
    return times, len(seen)


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def explain(term: str) -> str:
    from django.db import connection

    from discovery import selectors
    from discovery.selectors import Filters

    if connection.vendor != "postgresql":
        return "(SQLite: icontains, no index)"
    qs = selectors._querysets(term, Filters(kind="webinar"), None, _now())["webinar"]
    plan = qs[:20].explain()
    used = sorted(
        {w for line in plan.splitlines() for w in line.split() if "fts_" in w or "trgm_" in w}
    )
    return ", ".join(used) or "no search index (sequential scan)"


def _now():
    from django.utils import timezone

    return timezone.now()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--coaches", type=int, default=0, help="coaches per size (default: size / 10)"
    )
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/h_search_bench"
    )
    args = parser.parse_args()
    configure(args)

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    from django.conf import settings

    settings.DEBUG = False
    rng = random.Random(18)
    client = Client()
    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[1]}")
    for size in (int(s) for s in args.sizes.split(",")):
        t0 = time.perf_counter()
        n_coaches = args.coaches or max(1, size // 10)
        build(size, rng, n_coaches)
        built = time.perf_counter() - t0
        print(f"\n{size:,} webinars, {n_coaches:,} coaches (built in {built:.1f} s)")
        for label, term in TERMS.items():
            for name, path in (("page", "/search/"), ("quick", "/search/quick/")):
                url = f"{path}?q={term}"
                times, queries = time_get(client, url, args.repeat)
                total = client.get(f"/search/?q={term}", HTTP_ACCEPT="application/json").json()[
                    "total"
                ]
                print(
                    f"  {label:6} {term!r:14} {name:5}  p50 {statistics.median(times):7.1f} ms  "
                    f"p95 {pct(times, 95):7.1f} ms  max {max(times):7.1f} ms  "
                    f"{queries:2} queries  {total:,} matches"
                )
            print(f"  {'':6} {'':14} plan   {explain(term)}")


if __name__ == "__main__":
    main()
