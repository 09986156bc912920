"""process_payouts over many due items against the Connect stand-in (our localstripe launcher).

Everything runs on this machine against 127.0.0.1: PostgreSQL (database `h_payouts_bench`,
created if missing and flushed per size), a private localstripe with the Connect stand-in
(started here on a free port), no Celery worker (tasks are queued to an in-memory broker and
dropped, so the run is measured without PDF rendering; PDFs are timed separately).

    python benchmarks/payouts_run.py --sizes 1000,10000 --coaches 200

Per size it prints:
  items/s          due items paid per second by payouts_process (claim, transfer, record,
                   settlements), wall clock, Stripe stand-in round trips included
  queries/item     database queries during the run divided by items (should stay flat as
                   the item count grows: batches, not per-item selects)
  pdf p50/p95      settlement advice render time (WeasyPrint) over the run's settlements
                   (at most --pdfs of them)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.support import ensure_database  # noqa: E402


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_standin(port: int) -> subprocess.Popen:
    import requests

    var_dir = tempfile.mkdtemp(prefix="bench-localstripe-")
    proc = subprocess.Popen(
        [sys.executable, "-m", "payments.localstripe", "--port", str(port), "--var-dir", var_dir,
         "--from-scratch"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/js.stripe.com/v3/", timeout=1)
            return proc
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError("localstripe did not start")


def build(items: int, coaches: int, base: str) -> None:
    """`coaches` onboarded coaches, one succeeded charge each (large enough for all of its
    items' transfers), `items` completed sessions that ended 50 hours ago."""
    import requests

    from accounts.tests.factories import CoachFactory, UserFactory
    from bookings.models import Booking, SessionType
    from payments.models import Payment
    from payments.payouts.connect import connect_account_ensure, connect_account_sync
    from payments.payouts.gateway import account_link_create
    from payments.tests.connect_helpers import succeeded_charge

    client = UserFactory()
    per_coach = -(-items // coaches)
    share = Decimal("76.25")
    made = []
    for _ in range(coaches):
        coach = CoachFactory(stripe_account_id="", payments_ready=False)
        account = connect_account_ensure(coach=coach)
        link = account_link_create(
            account_id=account.stripe_account_id,
            refresh_url="http://127.0.0.1:9/r",
            return_url="http://127.0.0.1:9/r",
        )
        requests.post(link["url"], data={"action": "complete"}, allow_redirects=False)
        connect_account_sync(coach=coach)
        charge = succeeded_charge(client, Decimal(per_coach) * Decimal("100.00"))
        made.append((coach, charge, SessionType.objects.create(coach=coach, name="1:1")))
    ended = dt.datetime.now(dt.UTC) - dt.timedelta(hours=50)
    payments, bookings = [], []
    for i in range(items):
        coach, charge, session_type = made[i % coaches]
        payments.append(
            Payment(
                payer=client, coach=coach, purpose=Payment.Purpose.SESSION_BOOKING,
                status=Payment.Status.COMPLETED, currency="CHF", amount_total=Decimal("100.00"),
                amount_net=Decimal("92.51"), vat_rate=Decimal("8.1"), vat_amount=Decimal("7.49"),
                platform_fee=Decimal("16.26"), coach_share=share,
                stripe_payment_intent_id=f"pi_bench_{i}", stripe_charge_id=charge,
                transfer_group=f"booking_bench_{i}", completed_at=ended,
            )
        )  # fmt: skip
    Payment.objects.bulk_create(payments, batch_size=1000)
    for i, payment in enumerate(payments):
        coach, _, session_type = made[i % coaches]
        end = ended - dt.timedelta(hours=2 * (i // coaches))
        bookings.append(
            Booking(
                coach=coach, client=client, session_type=session_type, title="1:1",
                start=end - dt.timedelta(hours=1), end=end, timezone="Europe/Zurich",
                status=Booking.Status.COMPLETED, booking_type=Booking.Type.FIRM,
                currency="CHF", amount_total=Decimal("100.00"), payment=payment,
            )
        )  # fmt: skip
    Booking.objects.bulk_create(bookings, batch_size=1000)


def measure(items: int, coaches: int, base: str, pdfs: int) -> dict:
    import requests
    from django.core.management import call_command
    from django.db import connection

    from payments.models import PayoutItem, Settlement
    from payments.payouts.advice import settlement_advice_render
    from payments.payouts.run import payouts_process

    call_command("flush", interactive=False, verbosity=0)
    requests.delete(f"{base}/_config/data", timeout=10)  # ids restart: so must the stand-in
    build(items, coaches, base)
    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        report = payouts_process(batch_size=100)
    elapsed = time.perf_counter() - started
    paid = PayoutItem.objects.filter(status=PayoutItem.Status.PAID).count()
    assert paid == items, (paid, items, str(report))
    renders = []
    for settlement in Settlement.objects.all()[:pdfs]:
        t0 = time.perf_counter()
        settlement_advice_render(settlement_id=settlement.pk)
        renders.append(time.perf_counter() - t0)
    renders.sort()
    p95 = renders[max(0, int(len(renders) * 0.95) - 1)] if renders else 0
    return {
        "items": items,
        "coaches": coaches,
        "seconds": elapsed,
        "items_per_s": items / elapsed,
        "queries_per_item": count[0] / items,
        "pdf_p50_ms": statistics.median(renders) * 1000 if renders else 0,
        "pdf_p95_ms": p95 * 1000,
        "pdf_lines": items // coaches,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--coaches", type=int, default=200)
    parser.add_argument("--pdfs", type=int, default=40)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/h_payouts_bench"
    )
    args = parser.parse_args()
    port = free_port()
    os.environ.update(
        DATABASE_URL=args.database_url,
        DJANGO_SETTINGS_MODULE="config.settings",
        STRIPE_API_BASE=f"http://127.0.0.1:{port}",
        CELERY_BROKER_URL="memory://",
        CELERY_TASK_ALWAYS_EAGER="false",
        LOG_LEVEL="WARNING",
        PAYOUT_HOLD_HOURS="48",
    )
    os.environ.pop("REDIS_URL", None)
    ensure_database(args.database_url)
    proc = start_standin(port)
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="bench-media-")
        call_command("migrate", verbosity=0)
        for size in [int(s) for s in args.sizes.split(",")]:
            r = measure(size, min(args.coaches, size), settings.STRIPE_API_BASE, args.pdfs)
            print(
                f"{r['items']:>6} items / {r['coaches']} coaches: {r['items_per_s']:7.1f} items/s "
                f"({r['seconds']:.1f} s), {r['queries_per_item']:.2f} queries/item, "
                f"settlement PDF ({r['pdf_lines']} lines) p50 {r['pdf_p50_ms']:.0f} ms "
                f"p95 {r['pdf_p95_ms']:.0f} ms",
                flush=True,
            )
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
