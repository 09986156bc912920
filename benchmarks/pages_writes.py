"""The write side of benchmarks/pages.py, each against the hot-row floor measured the same way
(in-process, the same number of processes, released together):

  seat holds      `webinars.services.seats._hold_seat` (no Stripe) for different users on ONE
                  shared webinar; afterwards the held seats must equal the successful calls
  webhooks        signed `payment_intent.succeeded` events through `payments.webhooks
                  .webhook_process` (the function the view calls) for held registrations with
                  their Payment rows; then every event again: duplicates must change nothing
  register share  POST /webinars/<id>/register/ in-process (Django test client, localstripe
                  through our launcher) minus the time inside `payments.gateway.stripe_call`
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]


# ---- workers (spawned processes: each sets Django up, then waits at the barrier) -----------


def _worker(kind: str, items: list, barrier, queue) -> None:
    import django

    django.setup()
    operation, prepared = _prepare(kind, items)
    barrier.wait()
    outcomes: dict[str, int] = {}
    latencies = []
    started = time.time()
    for item in prepared:
        began = time.perf_counter()
        label = operation(item)
        latencies.append((time.perf_counter() - began) * 1000)
        outcomes[label] = outcomes.get(label, 0) + 1
    queue.put((outcomes, latencies, started, time.time()))


def _prepare(kind: str, items: list):
    from django.db import connection
    from django.utils import timezone

    if kind == "hot":
        from benchmarks.pages_load import hot_row_update

        def hot(_item) -> str:
            hot_row_update(connection)
            return "ok"

        return hot, items
    if kind == "holds":
        from django.contrib.auth import get_user_model

        from webinars.models import Registration
        from webinars.services.seats import _hold_seat

        webinar_id, user_ids = items
        users = list(get_user_model().objects.filter(pk__in=user_ids))

        def hold(user) -> str:
            result, reused = _hold_seat(webinar_id=webinar_id, user=user, now=timezone.now())
            if isinstance(result, Registration) and not reused:
                return "held"
            return type(result).__name__

        return hold, users
    from payments import gateway, webhooks
    from payments.errors import PaymentError
    from payments.tests.stripe_helpers import sign

    def stripe_not_ours(payment_intent_id):  # Stripe's time is not ours: payload is used
        raise PaymentError("benchmark: Stripe is not called")

    gateway.payment_intent_retrieve = stripe_not_ours
    # its "using webhook payload" warning per event is the patch above speaking, not a problem
    logging.getLogger("payments.webhooks").setLevel(logging.ERROR)
    signed = [(payload.encode(), sign(payload.encode())) for payload in items]

    def deliver(delivery) -> str:
        payload, signature = delivery
        return str(webhooks.webhook_process(payload=payload, signature=signature))

    return deliver, signed


def run_processes(kind: str, chunks: list) -> dict:
    """Run `kind` over each chunk in its own process; returns per second (aggregated from the
    first start to the last end), latencies and outcome counts."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(chunks))
    queue = context.Queue()
    processes = [
        context.Process(target=_worker, args=(kind, chunk, barrier, queue)) for chunk in chunks
    ]
    for process in processes:
        process.start()
    results = [queue.get(timeout=600) for _ in processes]
    for process in processes:
        process.join()
    outcomes: dict[str, int] = {}
    for result in results:
        for label, count in result[0].items():
            outcomes[label] = outcomes.get(label, 0) + count
    latencies = [latency for result in results for latency in result[1]]
    wall = max(r[3] for r in results) - min(r[2] for r in results)
    return {
        "per_second": len(latencies) / wall,
        "p50": statistics.median(latencies),
        "outcomes": outcomes,
    }


def _split(items: list, parts: int) -> list[list]:
    return [items[index::parts] for index in range(parts)]


# ---- the three write benchmarks ------------------------------------------------------------


def _people(count: int, tag: str) -> list:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    User.objects.bulk_create(
        User(email=f"{tag}{i}@writes.bench", first_name="W", last_name=str(i), password="!")
        for i in range(count)
    )
    return list(User.objects.filter(email__endswith="@writes.bench", email__startswith=tag))


def hot_floor(processes: int, per_process: int) -> dict:
    return run_processes("hot", [list(range(per_process))] * processes)


def seat_holds(coach, processes: int, count: int) -> dict:
    from webinars.models import Registration
    from webinars.tests.factories import WebinarFactory

    webinar = WebinarFactory(coach=coach, max_attendees=count * 2, title="Hold race")
    users = _people(count, "hold")
    result = run_processes(
        "holds", [(webinar.pk, [u.pk for u in chunk]) for chunk in _split(users, processes)]
    )
    held = Registration.objects.filter(webinar=webinar, status=Registration.Status.HELD).count()
    result["check"] = (
        f"{held} seats held, {result['outcomes'].get('held', 0)} successful calls"
        f" of {count}; capacity {webinar.max_attendees}, overbooked {max(0, held - count * 2)}"
    )
    result["ok"] = held == result["outcomes"].get("held", 0) == count
    return result


def _effects(webinar) -> tuple[int, int, int, int]:
    """What the deliveries changed, once the worker has built the notices they deferred to
    after commit (notifications.deferred): waits for those rows to drain (at most 5 min)."""
    from notifications.models import DeferredNotification, Notification, OutboundEmail
    from payments.models import Payment
    from webinars.models import Registration

    deadline = time.monotonic() + 300
    while DeferredNotification.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    return (
        Registration.objects.filter(webinar=webinar, status=Registration.Status.CONFIRMED).count(),
        Payment.objects.filter(status=Payment.Status.COMPLETED).count(),
        Notification.objects.count(),
        OutboundEmail.objects.count(),
    )


def webhook_finalizations(coach, processes: int, count: int) -> dict:
    from payments.tests.factories import PaymentFactory
    from payments.tests.stripe_helpers import event_for
    from webinars.tests.factories import HeldRegistrationFactory, WebinarFactory

    webinar = WebinarFactory(coach=coach, max_attendees=count * 2, title="Webhook race")
    payloads = []
    for index, user in enumerate(_people(count, "paid")):
        payment = PaymentFactory(
            payer=user, coach=coach, webinar=True, stripe_payment_intent_id=f"pi_bench_{index}"
        )
        registration = HeldRegistrationFactory(webinar=webinar, user=user, payment=payment)
        intent = {
            "id": payment.stripe_payment_intent_id, "object": "payment_intent",
            "amount": 12000, "currency": "chf", "status": "succeeded",
            "latest_charge": f"ch_bench_{index}",
            "metadata": {"registration_id": str(registration.pk),
                         "purpose": "webinar_registration"},
        }  # fmt: skip
        payloads.append(json.dumps(event_for("payment_intent.succeeded", intent)))
    result = run_processes("webhooks", _split(payloads, processes))
    before = _effects(webinar)
    again = run_processes("webhooks", _split(payloads, processes))
    after = _effects(webinar)
    processed = result["outcomes"].get("processed", 0)
    duplicates = again["outcomes"].get("duplicate", 0)
    result["check"] = (
        f"{processed} of {count} processed, {before[0]} seats confirmed; second delivery:"
        f" {duplicates} duplicate, (confirmed, succeeded payments, notifications, emails)"
        f" {before} -> {after}"
    )
    result["ok"] = processed == count == before[0] and duplicates == count and before == after
    return result


def start_localstripe(port: int, var_dir: Path) -> subprocess.Popen:
    import http.client

    process = subprocess.Popen(
        [sys.executable, "-m", "payments.localstripe", "--port", str(port),
         "--var-dir", str(var_dir), "--from-scratch"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/js.stripe.com/v3/")
            conn.getresponse().read()
            return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError("localstripe did not start")


def register_share(coach, count: int) -> dict:
    """Register requests one after the other; each minus its time inside Stripe calls."""
    from django.test import Client

    from payments import gateway
    from webinars.tests.factories import WebinarFactory

    webinar = WebinarFactory(coach=coach, max_attendees=count * 2, title="Register share")
    url = f"/webinars/{webinar.pk}/register/"
    inside_stripe = [0.0]
    original = gateway.stripe_call

    def timed_stripe_call(fn, *args, **kwargs):
        began = time.perf_counter()
        try:
            return original(fn, *args, **kwargs)
        finally:
            inside_stripe[0] += time.perf_counter() - began

    gateway.stripe_call = timed_stripe_call
    ours, totals, statuses = [], [], {}
    try:
        for user in _people(count, "reg"):
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(user)
            inside_stripe[0] = 0.0
            began = time.perf_counter()
            response = client.post(url, "{}", content_type="application/json",
                                   HTTP_ACCEPT="application/json")  # fmt: skip
            total = time.perf_counter() - began
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            totals.append(total * 1000)
            ours.append((total - inside_stripe[0]) * 1000)
    finally:
        gateway.stripe_call = original
    return {
        "p50": statistics.median(ours),
        "p95": _percentile(ours, 95),
        "total_p50": statistics.median(totals),
        "statuses": statuses,
        "ok": statuses.get(200, 0) == count,
    }


def run_writes(args) -> dict:
    """All write figures; the hot-row floor is measured before and after and averaged."""
    from accounts.tests.factories import CoachFactory

    coach = CoachFactory()
    processes, count = args.processes, args.writes
    floors = [hot_floor(processes, count // processes)]
    holds = seat_holds(coach, processes, count)
    webhooks = webhook_finalizations(coach, processes, count)
    floors.append(hot_floor(processes, count // processes))
    floor = {
        "per_second": statistics.mean(f["per_second"] for f in floors),
        "p50": statistics.mean(f["p50"] for f in floors),
    }
    register = None
    try:
        stripe = start_localstripe(args.localstripe_port, ROOT / "var" / "bench-pages-stripe")
    except RuntimeError as exc:
        register = {"error": str(exc)}
    else:
        try:
            register = register_share(coach, args.registers)
        finally:
            stripe.terminate()
            stripe.wait(timeout=20)
    return {"floor": floor, "holds": holds, "webhooks": webhooks, "register": register}
