"""Browser test harness: Playwright driving Debian's Chromium against a real server.

Every test in tests/browser/ is marked `browser` automatically and runs in its own pytest
process (`scripts/test` does this with `DJANGO_ALLOW_ASYNC_UNSAFE=true pytest -m browser`;
the variable is also set here for the browser tests, because pytest-playwright runs an event
loop in the main thread and factories would otherwise trip Django's async-safety check).
Without /usr/bin/chromium (or $CHROMIUM) the browser tests are skipped with a loud message; with
REQUIRE_BROWSER=1 (CI) they fail instead.

Fixtures
--------
`live_stack` (function scope, implies `transactional_db`): a real server for the browser.

    def test_something(page, live_stack, login):
        user = UserFactory()                        # committed: the server process sees it
        login(page, user)                           # a session cookie made in this process
        page.goto("/bookings/mine/")                # relative to live_stack.url (base_url)
        page.goto(f"{live_stack.url}/webinars/")    # or absolute
        mail = live_stack.wait_for_email(to=user.email, subject_contains="confirmed")
        assert "Join link" in live_stack.email_text(mail)

  It is a `LiveStack` with
  - `.url`: the daphne server (HTTP *and* websockets, e.g. ws://.../ws/ping/) running
    `config.asgi` in a subprocess against the test database (file-based SQLite test DB, or
    the PostgreSQL test DB when DATABASE_URL is set). When REDIS_URL is set (whatever the
    database), the server uses its Redis channel layer and Celery broker and a real Celery
    worker subprocess runs the tasks; without REDIS_URL the channel layer is in-memory and
    Celery runs eagerly inside the server process;
  - `.localstripe_base`: a private localstripe (our launcher) whose webhook posts to
    `<url>/payments/stripe/webhook/` signed with `.webhook_secret`; the server uses it as
    STRIPE_API_BASE, and the test process's settings point the gateway at it as well, so a
    test can inspect what the server created in Stripe. Its store is emptied before each test;
  - `.calendly_base`: a private Calendly stand-in (integrations/calendly_standin/) that the
    server uses as CALENDLY_API_BASE (so does the test process); emptied before each test;
  - `.emails()` / `.emails_to(address)` / `.wait_for_email(to=..., subject_contains=...)` /
    `.email_text(message)` / `.clear_emails()`: emails sent by the server process (and its
    worker), read back from its file-mail folder `.mail_dir` (cleared before each test);
  - `.media_root`: MEDIA_ROOT shared by the server and the test process (files a test
    creates through factories are served by the server);
  - `.server_log()`: the server's (and worker's) output; it is attached to the report of a
    failing test automatically.
  The processes live for the whole pytest session; each test starts from an empty database
  (transactional_db flushes it), an empty localstripe store and an empty mail folder.

`login` (function scope): `login(page, user)` signs in with a session cookie made in the test
process (no password hashing), `login(page, user, password=...)` through the real login form;
both wait until the home page shows the user is logged in.

`page` is pytest-playwright's; its context has `base_url = live_stack.url`.
"""

from __future__ import annotations

import email
import email.policy
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from conftest import ROOT, free_port, wait_for_http

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")  # Debian's; never a downloaded one
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
BROWSER_DIR = Path(__file__).resolve().parent
# What Django's file-based email backend writes after every message.
MAIL_SEPARATOR = b"\n" + b"-" * 79 + b"\n"


def _browser_required() -> bool:
    return os.environ.get("REQUIRE_BROWSER", "0") == "1"


# --- collection: mark, and skip or fail without Chromium ----------------------------------------


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark every test under tests/browser/ `browser` (before -m deselects anything)."""
    for item in items:
        if BROWSER_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session", autouse=True)
def _chromium_present():
    if not Path(CHROMIUM).exists():
        message = (
            f"BROWSER LAYER NOT RUN: {CHROMIUM} is missing (install it: apt-get install chromium)"
        )
        if _browser_required():
            pytest.fail(f"{message}; REQUIRE_BROWSER=1 makes this a failure", pytrace=False)
        _SKIPPED_FOR_CHROMIUM.append(message)
        pytest.skip(message)


_SKIPPED_FOR_CHROMIUM: list[str] = []


def pytest_terminal_summary(terminalreporter):
    if _SKIPPED_FOR_CHROMIUM:
        terminalreporter.write_sep("!", _SKIPPED_FOR_CHROMIUM[0], red=True, bold=True)


@pytest.fixture(scope="session", autouse=True)
def _allow_sync_orm_next_to_playwright_loop():
    """pytest-playwright's sync API keeps an event loop running in the main thread; factory
    calls in the test are still plain synchronous code, so allow them (browser tests only)."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, never a downloaded one (`playwright install` is not used here)."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, _live_stack_processes):
    # The browser's zone is the platform default, so static/js/timezone.js (logged-out visitors
    # report theirs) changes nothing; tests of other zones open a context with their own.
    return {
        **browser_context_args,
        "base_url": _live_stack_processes.url,
        "timezone_id": "Europe/Zurich",
    }


# --- the live stack ----------------------------------------------------------------------------


@dataclass
class LiveStack:
    url: str
    localstripe_base: str
    webhook_url: str
    webhook_secret: str
    mail_dir: Path
    media_root: Path
    log_dir: Path
    processes: dict[str, subprocess.Popen] = field(default_factory=dict, repr=False)
    calendly_base: str = ""  # the Calendly stand-in the server uses as CALENDLY_API_BASE

    # emails ---------------------------------------------------------------------------------
    def emails(self) -> list[EmailMessage]:
        """Every complete email the server process wrote, oldest first."""
        messages = []
        for path in sorted(self.mail_dir.glob("*.log"), key=lambda p: (p.stat().st_mtime, p.name)):
            chunks = path.read_bytes().split(MAIL_SEPARATOR)
            # The last chunk is what follows the final separator: empty, or a message that is
            # still being written.
            for raw in chunks[:-1]:
                messages.append(email.message_from_bytes(raw, policy=email.policy.default))
        return messages

    def emails_to(self, address: str) -> list[EmailMessage]:
        address = address.lower()
        return [m for m in self.emails() if address in str(m.get("To", "")).lower()]

    def wait_for_email(
        self, *, to: str | None = None, subject_contains: str = "", timeout: float = 15.0
    ) -> EmailMessage:
        """The first email matching `to`/`subject_contains`, waiting for on-commit hooks and
        the Celery worker to deliver it. Fails the test (naming what arrived) on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            candidates = self.emails_to(to) if to else self.emails()
            for message in candidates:
                if subject_contains.lower() in str(message.get("Subject", "")).lower():
                    return message
            if time.monotonic() > deadline:
                seen = [(m.get("To"), m.get("Subject")) for m in self.emails()]
                pytest.fail(f"no email to={to!r} subject~{subject_contains!r}; sent: {seen}")
            time.sleep(0.2)

    @staticmethod
    def email_text(message: EmailMessage) -> str:
        body = message.get_body(preferencelist=("plain", "html"))
        return body.get_content() if body is not None else ""

    def clear_emails(self) -> None:
        for path in self.mail_dir.glob("*"):
            path.unlink()

    # diagnostics ----------------------------------------------------------------------------
    def server_log(self, tail_chars: int = 20_000) -> str:
        parts = []
        for path in sorted(self.log_dir.glob("*.log")):
            text = path.read_text(errors="replace")[-tail_chars:]
            parts.append(f"----- {path.name} -----\n{text}")
        return "\n".join(parts)


def _database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for the *test* database the test process just created."""
    engine = settings_dict["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(settings_dict['NAME']).resolve()}"
    if engine == "django.db.backends.postgresql":
        user = quote(settings_dict.get("USER") or "", safe="")
        password = quote(settings_dict.get("PASSWORD") or "", safe="")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = settings_dict.get("HOST") or "127.0.0.1"
        port = settings_dict.get("PORT") or 5432
        return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"
    raise RuntimeError(f"live_stack does not know how to share a {engine} database")


def _start(cmd: list[str], *, env: dict, log_path: Path) -> subprocess.Popen:
    log = open(log_path, "ab")  # noqa: SIM115 - closed when the process is stopped
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    proc._log_file = log  # type: ignore[attr-defined]
    return proc


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        except ProcessLookupError:
            pass
    proc._log_file.close()  # type: ignore[attr-defined]


def _wait_for_log(proc: subprocess.Popen, log_path: Path, needle: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        if needle in log_path.read_text(errors="replace"):
            return
        time.sleep(0.2)
    raise RuntimeError(f"{log_path.name}: {needle!r} not seen\n{log_path.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def _live_stack_processes(django_db_setup, django_db_blocker, tmp_path_factory):
    """daphne + localstripe (+ a Celery worker with Redis) for the whole browser session."""
    from django.conf import settings
    from django.db import connection

    base_dir = tmp_path_factory.mktemp("live_stack")
    var_dir, mail_dir, media_root, log_dir = (
        base_dir / "var",
        base_dir / "mail",
        base_dir / "media",
        base_dir / "logs",
    )
    for folder in (var_dir, mail_dir, media_root, log_dir):
        folder.mkdir()

    server_port, stripe_port, calendly_port = free_port(), free_port(), free_port()
    calendly_base = f"http://127.0.0.1:{calendly_port}"
    url = f"http://127.0.0.1:{server_port}"
    localstripe_base = f"http://127.0.0.1:{stripe_port}"
    webhook_url = f"{url}/payments/stripe/webhook/"
    webhook_secret = settings.STRIPE_WEBHOOK_SECRET
    with django_db_blocker.unblock():
        database_url = _database_url(connection.settings_dict)

    env = {k: v for k, v in os.environ.items() if k not in {"EMAIL_URL", "DJANGO_ENV"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONUNBUFFERED="1",
        DATABASE_URL=database_url,
        VAR_DIR=str(var_dir),  # also where localstripe.json lands for the secret check
        EMAIL_URL=f"filemail:///{mail_dir}",  # absolute path: see the EMAIL_URL note in settings
        MEDIA_ROOT=str(media_root),
        SITE_URL=url,
        STRIPE_API_BASE=localstripe_base,
        STRIPE_SECRET_KEY=settings.LOCAL_STRIPE_SECRET_KEY,
        STRIPE_PUBLISHABLE_KEY="pk_test_localstripe",
        STRIPE_WEBHOOK_SECRET=webhook_secret,
        LOCALSTRIPE_PORT=str(stripe_port),
        CALENDLY_API_BASE=calendly_base,
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # the server must keep Django's safety checks
    redis_url = env.get("REDIS_URL", "")
    # With Redis, tasks go through the broker to a real worker; without, they run in-process.
    env["CELERY_TASK_ALWAYS_EAGER"] = "false" if redis_url else "true"

    processes: dict[str, subprocess.Popen] = {}
    stack = LiveStack(
        url=url,
        localstripe_base=localstripe_base,
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        mail_dir=mail_dir,
        media_root=media_root,
        log_dir=log_dir,
        processes=processes,
        calendly_base=calendly_base,
    )
    try:
        processes["localstripe"] = _start(
            [
                sys.executable,
                "-m",
                "payments.localstripe",
                "--port",
                str(stripe_port),
                "--var-dir",
                str(var_dir),
                "--webhook-url",
                webhook_url,
                "--webhook-secret",
                webhook_secret,
                "--connect-webhook-url",
                f"{url}/payments/stripe/connect-webhook/",
                "--connect-webhook-secret",
                settings.STRIPE_CONNECT_WEBHOOK_SECRET,
                "--from-scratch",
            ],
            env=env,
            log_path=log_dir / "localstripe.log",
        )
        processes["calendly"] = _start(
            [sys.executable, "-m", "integrations.calendly_standin", "--port", str(calendly_port)],
            env=env,
            log_path=log_dir / "calendly.log",
        )
        processes["daphne"] = _start(
            [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(server_port),
                "--access-log",
                str(log_dir / "access.log"),
                "config.asgi:application",
            ],
            env=env,
            log_path=log_dir / "daphne.log",
        )
        if redis_url:
            processes["celery"] = _start(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--pool",
                    "solo",
                    "--loglevel",
                    "INFO",
                    "--hostname",
                    f"browser-{os.getpid()}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                env=env,
                log_path=log_dir / "celery.log",
            )
        wait_for_http(f"{localstripe_base}/js.stripe.com/v3/")
        wait_for_http(f"{calendly_base}/_standin/")
        wait_for_http(f"{url}/healthz/", timeout=60)
        if "celery" in processes:
            _wait_for_log(processes["celery"], log_dir / "celery.log", "ready.", timeout=60)
        yield stack
    finally:
        for proc in reversed(processes.values()):
            _stop(proc)


def _wait_until_the_worker_is_quiet(timeout: float = 20) -> None:
    """Before the test's tables are flushed: no task waiting in the broker, none running in
    the worker, no deferred notice left to build. A task still writing (a notice built after
    the webhook's commit) holds a lock on one table and wants another, while the flush's
    TRUNCATE wants them all: PostgreSQL then aborts one of the two (a deadlock), and the
    next test starts on unflushed tables."""
    import redis

    from config.celery import app
    from notifications.models import DeferredNotification

    broker = redis.Redis.from_url(app.conf.broker_url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            queued = broker.llen("celery")
            active = app.control.inspect(timeout=0.5, limit=1).active()  # None: no answer (busy)
            idle = active is not None and not any(active.values())
            if not queued and idle and not DeferredNotification.objects.exists():
                return
            time.sleep(0.2)
    finally:
        broker.close()


@pytest.fixture
def live_stack(transactional_db, _live_stack_processes, settings):
    stack = _live_stack_processes
    for name, proc in stack.processes.items():
        if proc.poll() is not None:
            pytest.fail(f"live_stack: {name} exited ({proc.returncode})\n{stack.server_log()}")
    requests.delete(f"{stack.localstripe_base}/_config/data", timeout=5)
    requests.delete(f"{stack.calendly_base}/_standin/data", timeout=5)
    stack.clear_emails()
    # The test process talks to the same localstripe and media folder as the server.
    settings.STRIPE_API_BASE = stack.localstripe_base
    settings.STRIPE_LOCAL_MODE = True
    settings.STRIPE_SECRET_KEY = settings.LOCAL_STRIPE_SECRET_KEY
    settings.STRIPE_JS_URL = f"{stack.localstripe_base}/js.stripe.com/v3/"
    settings.MEDIA_ROOT = stack.media_root
    settings.SITE_URL = stack.url
    settings.CALENDLY_API_BASE = stack.calendly_base
    for child in stack.media_root.iterdir():
        shutil.rmtree(child) if child.is_dir() else child.unlink()
    yield stack
    if "celery" in stack.processes:
        _wait_until_the_worker_is_quiet()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed and "live_stack" in getattr(item, "funcargs", {}):
        report.sections.append(("live_stack server log", item.funcargs["live_stack"].server_log()))
    return report


@pytest.fixture
def login(live_stack):
    """`login(page, user)`: signed in with a session made in this process (Django's test
    client `force_login` against the shared test database), its cookie handed to the page;
    no PBKDF2 verification per test. `login(page, user, password=...)` uses the real login
    form instead (the form itself is covered in test_signup_login.py)."""
    from django.conf import settings

    from tests.browser.a11y_support import session_cookie

    def _login(page, user, password: str | None = None) -> None:
        if password is not None:
            login_through_form(page, live_stack, user, password)
            return
        page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": session_cookie(user),
                    "url": live_stack.url,
                    "httpOnly": True,
                }
            ]
        )
        page.goto(f"{live_stack.url}/")
        page.get_by_role("button", name="Log out").wait_for()

    return _login


def login_through_form(page, live_stack, user, password: str) -> None:
    page.goto(f"{live_stack.url}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for()


# --- the accessibility layer's shared world (tests/browser/test_a11y_*.py) ----------------------


@pytest.fixture(scope="module")
def a11y_world(_live_stack_processes, django_db_blocker):
    """One seeded world for a whole module of page checks (instead of a flush and a reseed per
    page), plus a logged-in session cookie per role. The tables are flushed afterwards, so the
    function-scoped tests that follow start from an empty database as usual."""
    from django.core.management import call_command

    from tests.browser.a11y_support import seed_world, session_cookie

    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)
        world = seed_world()
        cookies = {
            "anonymous": None,
            "client": session_cookie(world.ada),
            "coach": session_cookie(world.coach_user),
            "staff": session_cookie(world.staff),
        }
    yield world, cookies
    with django_db_blocker.unblock():
        from django.db import connection

        call_command("flush", interactive=False, verbosity=0)
        connection.close()  # else the test database cannot be dropped at the end of the run


@pytest.fixture
def role_page(browser, _live_stack_processes, a11y_world):
    """`role_page(role, width=1280)`: a fresh page signed in as the role's user (by cookie)."""
    _, cookies = a11y_world
    contexts = []

    def _open(role: str, width: int = 1280):
        context = browser.new_context(
            base_url=_live_stack_processes.url, viewport={"width": width, "height": 900}
        )
        contexts.append(context)
        if cookies[role]:
            context.add_cookies(
                [{"name": "sessionid", "value": cookies[role], "url": _live_stack_processes.url}]
            )
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.console_errors = []
        page.on(
            "console",
            lambda message: message.type == "error" and page.console_errors.append(message.text),
        )
        page.on("pageerror", lambda error: page.console_errors.append(str(error)))
        return page

    yield _open
    for context in contexts:
        context.close()
