"""The HTTP side of benchmarks/pages.py: the floor app, gunicorn, and the load generator (wrk
when installed, else Python threads with keep-alive connections)."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOT_TABLE = "bench_hot_row"
WRK = shutil.which("wrk")

# ---- the floor: a minimal Django app served by gunicorn (`pages_load:floor_application`) ---

_floor = None


def floor_application(environ, start_response):
    """WSGI entry of the floor server (built on the first request of each worker)."""
    global _floor
    if _floor is None:
        _floor = _build_floor()
    return _floor(environ, start_response)


def hot_row_update(connection) -> None:
    """The hot-row floor: lock one shared row, update it, commit."""
    from django.db import transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT n FROM {HOT_TABLE} WHERE id = 1 FOR UPDATE")
        cursor.execute(f"UPDATE {HOT_TABLE} SET n = n + 1 WHERE id = 1")


def _build_floor():
    import environ as django_environ
    from django.conf import settings
    from django.db import connection
    from django.http import HttpResponse
    from django.urls import path

    def trivial(request):
        return HttpResponse("ok")

    def hot(request):
        hot_row_update(connection)
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


# ---- servers -------------------------------------------------------------------------------


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


# ---- load generators -----------------------------------------------------------------------


def generator_name(connections: int, seconds: float) -> str:
    if WRK:
        return f"wrk -t2 -c{connections} -d{seconds:g}s --latency ({WRK})"
    return f"Python threads ({connections} keep-alive connections; wrk is not installed)"


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> dict:
    """Requests/sec, the 50% and 99% latencies and the non-2xx/3xx count of `wrk --latency`."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    latency = dict(re.findall(r"^\s*(50|99)%\s+([\d.]+(?:us|ms|s))\s*$", output, re.MULTILINE))
    failures = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors:.*?(\d+).*?(\d+).*?(\d+).*?(\d+)", output)
    return {
        "rps": rps,
        "p50": _ms(latency["50"]),
        "p99": _ms(latency["99"]),
        "failures": (int(failures.group(1)) if failures else 0)
        + (sum(int(n) for n in errors.groups()) if errors else 0),
    }


def wrk_burst(port: int, url: str, cookie: str, *, connections: int, seconds: float) -> dict:
    header = ["-H", f"Cookie: {cookie}"] if cookie else []
    threads = str(min(2, connections))
    command = [WRK, "-t", threads, f"-c{connections}", f"-d{seconds:g}s", "--latency", *header,
               f"http://127.0.0.1:{port}{url}"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    try:
        return parse_wrk(done.stdout)
    except (AttributeError, KeyError):
        raise SystemExit(
            f"unexpected wrk output for {url}:\n{done.stdout}\n{done.stderr}"
        ) from None


def thread_burst(port, url, cookie, *, total: int, connections: int, seconds: float) -> dict:
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    per_thread = max(1, total // connections)
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
                failures[0] += not 200 <= response.status < 400

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(connections)]
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


def burst(port: int, url: str, cookie: str, args) -> dict:
    if WRK:
        return wrk_burst(port, url, cookie, connections=args.connections, seconds=args.seconds)
    return thread_burst(
        port, url, cookie, total=args.requests, connections=args.connections, seconds=args.seconds
    )


def measure(pages, args) -> dict:
    """Each page interleaved with the trivial floor, then the hot-row floor: medians of
    --repeat bursts."""
    floor_port = args.port + 1
    floor = serve("pages_load:floor_application", floor_port, ["--pythonpath", "benchmarks"])
    project = serve("config.wsgi:application", args.port, [])
    results: dict[str, list[dict]] = {}
    try:
        for _ in range(args.repeat):
            for name, url, cookie in pages:
                results.setdefault("floor (trivial)", []).append(
                    burst(floor_port, "/floor/", "", args)
                )
                results.setdefault(name, []).append(burst(args.port, url, cookie, args))
            results.setdefault("floor (hot row)", []).append(burst(floor_port, "/hot/", "", args))
    finally:
        for server in (project, floor):
            server.terminate()
            server.wait(timeout=20)
    return {name: _median(runs) for name, runs in results.items()}


def _median(runs: list[dict]) -> dict:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}
