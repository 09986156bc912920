"""Issue invoices concurrently from 4 worker processes, check the series, time the PDFs.

Everything runs on this machine: PostgreSQL (database `h_invoices_bench`, created if
missing and emptied of documents first). Bounded: --count invoices, --pdf-sample PDFs.

    python benchmarks/invoice_numbering.py --count 1000 --workers 4 --pdf-sample 50

Prints:
  issue   documents/s for --count invoices issued by --workers processes at once (each its
          own connection, released together), each one `invoice_issue_for_payment` in its own
          transaction: lock the series counter, allocate, insert document + line, commit.
          The after-commit PDF task is not queued here (measured separately below).
  series  numbers issued, gaps and duplicates in INV-<year>-000001 .. (must be 0 and 0)
  pdf     WeasyPrint render + store per document (document_pdf_render), p50 / p95 / max,
          one process, sequential
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.support import ensure_database  # noqa: E402


def configure(args) -> None:
    os.environ.update(
        {
            "DATABASE_URL": args.database_url,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "LOG_LEVEL": "WARNING",
            "MEDIA_ROOT": str(ROOT / "var" / "bench_media"),
        }
    )
    os.environ.pop("REDIS_URL", None)


def prepare(count: int) -> list[int]:
    """`count` completed CHF 150 payments (1:1 sessions, VAT 8.1 % included), no documents."""
    from django.db import connection
    from django.utils import timezone

    from accounts.models import Coach, User
    from invoicing.models import Document, DocumentCounter, DocumentLine
    from payments.models import Payment
    from payments.pricing import price_breakdown

    with connection.cursor() as cursor:  # the benchmark's own database: start clean
        for model in (DocumentLine, Document, DocumentCounter):
            cursor.execute(f'TRUNCATE "{model._meta.db_table}" CASCADE')
    coach_user, _ = User.objects.get_or_create(
        email="bench-coach@example.com", defaults={"first_name": "Bench", "last_name": "Coach"}
    )
    coach, _ = Coach.objects.get_or_create(user=coach_user)
    payer, _ = User.objects.get_or_create(
        email="bench-client@example.com", defaults={"first_name": "Bench", "last_name": "Client"}
    )
    b = price_breakdown(
        amount=Decimal("150.00"), currency="CHF", vat_rate=Decimal("8.1"), platform_fee_percent=15
    )
    run = int(time.time())
    now = timezone.now()
    Payment.objects.bulk_create(
        Payment(
            payer=payer,
            coach=coach,
            purpose=Payment.Purpose.SESSION_BOOKING,
            status=Payment.Status.COMPLETED,
            currency="CHF",
            amount_total=b.total,
            amount_net=b.net,
            vat_rate=b.vat_rate,
            vat_amount=b.vat_amount,
            platform_fee=b.platform_fee,
            coach_share=b.coach_share,
            stripe_payment_intent_id=f"pi_bench_{run}_{i}",
            completed_at=now,
        )
        for i in range(count)
    )
    return list(
        Payment.objects.filter(stripe_payment_intent_id__startswith=f"pi_bench_{run}_")
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def worker(payment_ids, barrier, results):
    import django
    from django.db import connections

    connections.close_all()
    django.setup()
    import invoicing.services.issue as issue
    from invoicing.services import invoice_issue_for_payment

    issue._queue_render = lambda document_id: None  # PDFs are timed separately
    errors = 0
    barrier.wait()
    for payment_id in payment_ids:
        try:
            invoice_issue_for_payment(payment_id=payment_id)
        except Exception as error:  # counted and printed; the series check says the rest
            errors += 1
            print(f"error: {error!r}", file=sys.stderr)
    results.put(errors)
    connections.close_all()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--pdf-sample", type=int, default=50)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/h_invoices_bench"
    )
    args = parser.parse_args()
    args.count = max(1, min(args.count, 20_000))
    args.workers = max(1, min(args.workers, 16))
    configure(args)
    ensure_database(args.database_url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    payment_ids = prepare(args.count)
    connections.close_all()

    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(args.workers + 1)
    results = context.Queue()
    shares = [payment_ids[i :: args.workers] for i in range(args.workers)]
    processes = [context.Process(target=worker, args=(share, barrier, results)) for share in shares]
    for process in processes:
        process.start()
    barrier.wait()
    started = time.perf_counter()
    errors = sum(results.get(timeout=600) for _ in processes)
    elapsed = time.perf_counter() - started
    for process in processes:
        process.join(timeout=60)

    from invoicing.models import Document, DocumentKind

    year = timezone.now().year  # the series the run wrote into (platform year)
    sequences = list(
        Document.objects.filter(kind=DocumentKind.INVOICE).values_list("sequence", flat=True)
    )
    issued = len(sequences)
    duplicates = issued - len(set(sequences))
    gaps = (max(sequences) - len(set(sequences))) if sequences else 0
    print(
        f"issue   {issued} invoices by {args.workers} workers in {elapsed:.2f} s = "
        f"{issued / elapsed:.0f} documents/s ({errors} errors)"
    )
    print(
        f"series  INV-{year}-000001..{max(sequences or [0]):06d}: {issued} numbers, "
        f"{gaps} gaps, {duplicates} duplicates"
    )

    from invoicing.pdf import document_pdf_render

    sample = list(
        Document.objects.order_by("sequence").values_list("pk", flat=True)[: args.pdf_sample]
    )
    timings = []
    for document_id in sample:
        t0 = time.perf_counter()
        document_pdf_render(document_id=document_id)
        timings.append((time.perf_counter() - t0) * 1000)
    if timings:
        ordered = sorted(timings)
        p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
        print(
            f"pdf     {len(timings)} PDFs: p50 {statistics.median(ordered):.0f} ms, "
            f"p95 {p95:.0f} ms, max {ordered[-1]:.0f} ms (first, fonts loading: "
            f"{timings[0]:.0f} ms)"
        )
    if gaps or duplicates or errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
