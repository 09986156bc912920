"""`manage.py runlocal`: the whole platform on this machine, stopped together with Ctrl-C.

Runs migrate and seed_demo, then starts (each in its own process group):
  - localstripe through our launcher on 127.0.0.1:8420, store under var/, webhook registered
    to http://127.0.0.1:8000/payments/stripe/webhook/ with STRIPE_WEBHOOK_SECRET
    (only in local Stripe mode, i.e. when STRIPE_API_BASE points at this machine);
  - the Calendly stand-in (integrations/calendly_standin/, demo token calendly-demo-token) on
    127.0.0.1:8430 with its store under var/, and CALENDLY_API_BASE pointed at it (unless
    CALENDLY_API_BASE names another, non-local server);
  - the development server (daphne's runserver: HTTP + websockets) on 127.0.0.1:8000;
  - a Celery worker and beat, only when REDIS_URL is set (otherwise tasks run in-process).
Ports are checked first. Ctrl-C (or SIGTERM) stops every process group it started; if one of
them dies, the others are stopped too and the command exits non-zero.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from core.demo_accounts import format_logins

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


class Command(BaseCommand):
    help = "Migrate, seed demo data and run server + localstripe (+ Celery with Redis)."
    # Checks run in runserver, after localstripe (re)wrote var/localstripe.json.
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("RUN_PORT", 8000)))
        parser.add_argument("--no-seed", action="store_true", help="Skip seed_demo.")
        parser.add_argument("--noreload", action="store_true", help="No autoreload on edits.")

    def handle(self, *args, port: int, no_seed: bool, noreload: bool, **options):
        self.children: dict[str, subprocess.Popen] = {}
        stripe_port = self._local_stripe_port()
        calendly_port = self._local_calendly_port()
        self._check_ports(port, stripe_port, calendly_port)
        redis_url = settings.REDIS_URL
        if redis_url:
            self._check_redis(redis_url)

        call_command("migrate", interactive=False, verbosity=1)
        site_url = f"http://127.0.0.1:{port}"
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "SITE_URL": site_url}
        if calendly_port is not None:
            env["CALENDLY_API_BASE"] = f"http://127.0.0.1:{calendly_port}"
        # Ctrl-C, `kill` and a closed terminal all stop everything; SIGINT explicitly, because a
        # shell starting us in the background hands it down ignored.
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self._on_signal)
        try:
            # localstripe first: seeding onboards the demo coaches on its Connect stand-in.
            if stripe_port is not None:
                self._start_localstripe(stripe_port, site_url, env)
            if calendly_port is not None:
                self._start_calendly_standin(calendly_port, env)
            if not no_seed:
                # The logins it prints point at the port this run serves (RUN_PORT / --port).
                call_command("seed_demo", site_url=site_url)
            self._start(
                "server",
                [
                    sys.executable,
                    "manage.py",
                    "runserver",
                    f"127.0.0.1:{port}",
                    *(["--noreload"] if noreload else []),
                ],
                env,
            )
            if redis_url:
                self._start_celery(env)
            self._wait_http(f"{site_url}/healthz/", "server", timeout=90)
            self._banner(site_url, stripe_port, redis_url, calendly_port)
            self._watch()
        except KeyboardInterrupt:
            self.stdout.write("\nStopping ...")
        finally:
            self._stop_all()

    # --- preflight ------------------------------------------------------------------------
    def _local_stripe_port(self) -> int | None:
        """The port to run localstripe on, or None when Stripe is real or remote."""
        if not settings.STRIPE_LOCAL_MODE:
            return None
        parts = urlsplit(settings.STRIPE_API_BASE)
        if parts.hostname not in LOCAL_HOSTS:
            return None
        return parts.port or 80

    def _local_calendly_port(self) -> int | None:
        """The port to run the Calendly stand-in on, or None when CALENDLY_API_BASE names a
        server elsewhere (Calendly itself, when set in the environment)."""
        configured = os.environ.get("CALENDLY_API_BASE", "")
        if not configured:
            return settings.CALENDLY_STANDIN_PORT
        parts = urlsplit(configured)
        return (parts.port or 80) if parts.hostname in LOCAL_HOSTS else None

    def _check_ports(
        self, port: int, stripe_port: int | None, calendly_port: int | None = None
    ) -> None:
        busy = [
            (name, p)
            for name, p in (
                ("server", port),
                ("localstripe", stripe_port),
                ("calendly stand-in", calendly_port),
            )
            if p is not None and not port_is_free(p)
        ]
        if busy:
            names = ", ".join(f"{p} ({name})" for name, p in busy)
            raise CommandError(
                f"Port {names} on 127.0.0.1 is already in use: is another `make run` running? "
                "Stop it, or choose other ports: RUN_PORT=8001 LOCALSTRIPE_PORT=8421 "
                "CALENDLY_STANDIN_PORT=8431 make run"
            )

    def _check_redis(self, redis_url: str) -> None:
        import redis

        try:
            redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
        except redis.RedisError as exc:
            raise CommandError(f"REDIS_URL={redis_url} is not reachable: {exc}") from exc

    # --- children -------------------------------------------------------------------------
    def _start(self, name: str, cmd: list[str], env: dict) -> subprocess.Popen:
        # Own process group: Ctrl-C reaches only us, and we stop each group as a whole
        # (runserver's autoreloader child, Celery's pool) so nothing is orphaned.
        proc = subprocess.Popen(cmd, cwd=settings.BASE_DIR, env=env, start_new_session=True)
        self.children[name] = proc
        return proc

    def _start_localstripe(self, stripe_port: int, site_url: str, env: dict) -> None:
        self._start(
            "localstripe",
            [
                sys.executable,
                "-m",
                "payments.localstripe",
                "--port",
                str(stripe_port),
                "--var-dir",
                str(settings.VAR_DIR),
                "--webhook-url",
                f"{site_url}/payments/stripe/webhook/",
                "--webhook-secret",
                settings.STRIPE_WEBHOOK_SECRET,
                "--connect-webhook-url",
                f"{site_url}/payments/stripe/connect-webhook/",
                "--connect-webhook-secret",
                settings.STRIPE_CONNECT_WEBHOOK_SECRET,
            ],
            env,
        )
        self._wait_http(f"http://127.0.0.1:{stripe_port}/js.stripe.com/v3/", "localstripe", 30)

    def _start_calendly_standin(self, calendly_port: int, env: dict) -> None:
        self._start(
            "calendly stand-in",
            [
                sys.executable,
                "-m",
                "integrations.calendly_standin",
                "--port",
                str(calendly_port),
                "--store",
                str(settings.VAR_DIR / "calendly_standin.json"),
            ],
            env,
        )
        self._wait_http(f"http://127.0.0.1:{calendly_port}/_standin/", "calendly stand-in", 30)

    def _start_celery(self, env: dict) -> None:
        celery = [sys.executable, "-m", "celery", "-A", "config"]
        self._start("celery worker", [*celery, "worker", "--loglevel", "INFO"], env)
        schedule = settings.VAR_DIR / "celerybeat-schedule"
        self._start(
            "celery beat", [*celery, "beat", "--loglevel", "INFO", "-s", str(schedule)], env
        )

    def _wait_http(self, url: str, name: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._raise_if_exited()
            try:
                requests.get(url, timeout=2)
                return
            except requests.RequestException:
                time.sleep(0.2)
        raise CommandError(f"{name} did not answer at {url} within {timeout:.0f}s")

    def _raise_if_exited(self) -> None:
        for name, proc in self.children.items():
            if proc.poll() is not None:
                raise CommandError(f"{name} exited with status {proc.returncode}; stopping.")

    def _watch(self) -> None:
        while True:
            self._raise_if_exited()
            time.sleep(0.5)

    def _on_signal(self, signum, frame):
        raise KeyboardInterrupt

    def _stop_all(self) -> None:
        # A second Ctrl-C must not interrupt the clean-up and leave orphans behind.
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        for proc in reversed(list(self.children.values())):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for name, proc in self.children.items():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.stderr.write(f"{name} did not stop within 10s; killing it")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        self.children.clear()

    # --- output ---------------------------------------------------------------------------
    def _banner(
        self, site_url: str, stripe_port: int | None, redis_url: str, calendly_port=None
    ) -> None:
        rule = "=" * 78
        running = [f"  server       {site_url}/ (HTTP + websockets, autoreload)"]
        if stripe_port is not None:
            running.append(f"  localstripe  http://127.0.0.1:{stripe_port} (store under var/)")
        else:
            running.append(f"  Stripe       {settings.STRIPE_API_BASE or 'api.stripe.com'}")
        if calendly_port is not None:
            running.append(
                f"  calendly     http://127.0.0.1:{calendly_port}/_standin/ (stand-in; token "
                "calendly-demo-token)"
            )
        if redis_url:
            running.append(f"  celery       worker + beat, broker {redis_url}")
        else:
            running.append("  celery       tasks run in-process (set REDIS_URL for worker + beat)")
        running.append(f"  email        {getattr(settings, 'EMAIL_FILE_PATH', '') or 'EMAIL_URL'}")
        self.stdout.write(
            "\n".join(
                [
                    "",
                    rule,
                    "Coaching Platform is running:",
                    *running,
                    "",
                    format_logins(site_url),
                    "",
                    "Press Ctrl-C to stop everything.",
                    rule,
                    "",
                ]
            )
        )
