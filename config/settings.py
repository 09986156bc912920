"""One settings module, driven by the environment (django-environ).

With no environment variables at all the project runs on embedded defaults: SQLite under
var/, the in-memory channel layer, Celery tasks executed in-process, email written to files
under var/mail/ and Stripe's API served by localstripe on 127.0.0.1. Set DATABASE_URL /
REDIS_URL to use PostgreSQL / Redis (channel layer + Celery broker with a real worker), and
DJANGO_ENV=production for the production checks (config/production_checks.py).
"""

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
# A developer may keep local overrides in .env; it is never required and never committed.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="local")  # local | production
IS_PRODUCTION = DJANGO_ENV == "production"

LOCAL_SECRET_KEY = "local-dev-only-not-secret-0b8f9c2e7a41d6f3c5e8b1a9d7f2e4c6a8b0d3f5e7a9c1b3"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="" if IS_PRODUCTION else LOCAL_SECRET_KEY)
DEBUG = env.bool("DJANGO_DEBUG", default=not IS_PRODUCTION)
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=[] if IS_PRODUCTION else ["127.0.0.1", "localhost", "[::1]"]
)
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Launch gate (seed 004 §6.4): false keeps the public on the landing page, legal pages and the
# lead form until launch day; staff, webhooks, the admin and login keep working (launch.gate).
SITE_LAUNCHED = env.bool("SITE_LAUNCHED", default=True)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # search lookups (trigram_word_similar); inert on SQLite
    "django_htmx",
    "template_partials",
    "channels",
    "anymail",
    "axes",
    "csp",
    "core",
    "accounts",
    "payments",
    "webinars",
    "bookings",
    "notifications",
    "invoicing",
    "launch",
    "discovery",
    "moderation",
    "trust",  # top level: imports every app, imported by none
    "reviews",
    "integrations",  # top level (Calendly): imports bookings, accounts, notifications
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.middleware.RejectNulMiddleware",
    "core.middleware.InvalidRequestBodyMiddleware",  # invalid JSON bodies: 400
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.htmx.HtmxVaryMiddleware",  # Vary: HX-Request where a view branched on request.htmx
    "accounts.middleware.UserTimezoneMiddleware",
    # Before launch (SITE_LAUNCHED=false) only the public pages answer; after auth (staff pass).
    "launch.middleware.LaunchGateMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
                "launch.context_processors.launch",
                "notifications.context_processors.email_suppression",
                "accounts.context_processors.sanction_banner",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
# An exported but empty DATABASE_URL means the default, as an unset one does.
DATABASES = {
    "default": env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent readers while a writer holds the lock (runserver threads, the worker).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    # File-based test database (one per test process) so that a daphne/Channels live server
    # in another thread or process sees the same data as the test.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections in production (a connection per request halves the detail page's
# throughput), each checked before a request reuses it; `DB_CONN_MAX_AGE=0` turns them off
# (the daphne websocket process, see docs/deploy.md). Local and test runs open one a request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int(
    "DB_CONN_MAX_AGE", default=60 if IS_PRODUCTION else 0
)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = DATABASES["default"]["CONN_MAX_AGE"] != 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses any login (site and admin) for a locked-out account or address.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:launchpad"
LOGOUT_REDIRECT_URL = "core:home"
# Login throttling (django-axes, database handler): after AXES_FAILURE_LIMIT consecutive
# failures for one email, or from one IP address, every login for it (the right password
# included) answers 429 for LOGIN_LOCKOUT_MINUTES. The same for emails without an account, so
# the lockout tells nothing about who has one. A success resets that email's count.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locks
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "accounts.throttling.login_username"
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_DISABLE_ACCESS_LOG = True  # failures are recorded; successful logins are not
AXES_VERBOSE = False
# Behind nginx (docs/deploy.md) the client address is the last X-Forwarded-For entry.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Password reset links (accounts) work once and for this long; email verification links longer.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3600)
EMAIL_VERIFICATION_MAX_AGE = env.int("EMAIL_VERIFICATION_MAX_AGE", default=3 * 24 * 3600)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- I18N / time ----------------------------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"  # storage and server time; each viewer sees their own zone (accounts middleware)
USE_I18N = True
USE_TZ = True
DEFAULT_USER_TIMEZONE = env.str("DEFAULT_USER_TIMEZONE", default="Europe/Zurich")

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
MEDIA_URL = "/media/"  # never served publicly: materials go through a permission-checked view
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Largest coach profile photo accepted before it is re-encoded (accounts/photos.py).
COACH_PHOTO_MAX_BYTES = env.int("COACH_PHOTO_MAX_BYTES", default=5 * 1024 * 1024)
# WhiteNoise serves /static/ from the app folders outside production too, so daphne, gunicorn
# and test servers all show a styled site without collectstatic.
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
WHITENOISE_AUTOREFRESH = not IS_PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if IS_PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Redis, Channels, Celery ----------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # redis-py 8 reads with a 5 s socket timeout by default, which equals channels_redis'
            # 5 s blocking BZPOPMIN: idle consumers then die with "Timeout reading" (close 1011)
            # every few seconds (django/channels_redis#422). Read timeout above the pop's.
            "CONFIG": {
                "hosts": [
                    {
                        "address": env.str("CHANNELS_REDIS_URL", default=REDIS_URL),
                        "socket_timeout": 15,
                        "socket_connect_timeout": 5,
                    }
                ]
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or "cache+memory://")
# Without a broker the embedded default runs every task in-process, synchronously.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# /healthz/ reuses a worker ping's answer this long in each process (core/health.py).
HEALTH_WORKER_CACHE_SECONDS = env.float("HEALTH_WORKER_CACHE_SECONDS", default=5)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict = {}  # filled by the apps (see config/celery.py)

# Trust score (trust app, issue 18): automatic actions below these scores (0-100).
TRUST_SCORE_WARN_BELOW = env.int("TRUST_SCORE_WARN_BELOW", default=70)
TRUST_SCORE_HIDE_BELOW = env.int("TRUST_SCORE_HIDE_BELOW", default=50)
TRUST_SCORE_SUSPEND_BELOW = env.int("TRUST_SCORE_SUSPEND_BELOW", default=30)
TRUST_SCORE_SUSPEND_DAYS = env.int("TRUST_SCORE_SUSPEND_DAYS", default=14)
TRUST_SCORE_BATCH_SIZE = env.int("TRUST_SCORE_BATCH_SIZE", default=500)

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Sessions read from Redis, written through to the database (one query less per signed-in
# request). Only with a cache every process shares: with per-process locmem a session ended
# in one process (logout) would live on in another's memory.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)

# --- Email ----------------------------------------------------------------------------------
if env.str("EMAIL_URL", default=""):
    # email_url always holds EMAIL_BACKEND and EMAIL_FILE_PATH; the two are read from the dict
    # (not from the names vars().update makes) so that type checkers and linters can see them.
    _email_config = env.email_url("EMAIL_URL")
    vars().update(_email_config)
    EMAIL_BACKEND: str = _email_config["EMAIL_BACKEND"]
    if EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend":
        # Like sqlite URLs, django-environ reads filemail:///var/mail as the relative path
        # "var/mail" (taken from the project folder here, not the cwd) and needs four slashes
        # for an absolute one: filemail:////srv/mail.
        EMAIL_FILE_PATH = str(BASE_DIR / _email_config["EMAIL_FILE_PATH"])
        Path(EMAIL_FILE_PATH).mkdir(parents=True, exist_ok=True)
else:
    # Embedded default: every email is written as a file under var/mail/.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
    Path(EMAIL_FILE_PATH).mkdir(parents=True, exist_ok=True)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Coaching Platform <hello@coaching.local>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# A transactional email provider in production, through django-anymail (README "Email
# delivery and monitoring"): EMAIL_PROVIDER=postmark|mailgun picks anymail's backend and its
# tracking webhook at /notifications/email/events/; smtp (the default) keeps EMAIL_URL above.
EMAIL_PROVIDER = env.str("EMAIL_PROVIDER", default="smtp").strip().lower()
EMAIL_PROVIDERS = ("smtp", "postmark", "mailgun")
ANYMAIL = {
    k: v
    for k, v in {
        "POSTMARK_SERVER_TOKEN": env.str("POSTMARK_SERVER_TOKEN", default=""),
        "MAILGUN_API_KEY": env.str("MAILGUN_API_KEY", default=""),
        "MAILGUN_SENDER_DOMAIN": env.str("MAILGUN_SENDER_DOMAIN", default=""),
        # EU-hosted Mailgun domains: https://api.eu.mailgun.net/v3
        "MAILGUN_API_URL": env.str("MAILGUN_API_URL", default=""),
        "MAILGUN_WEBHOOK_SIGNING_KEY": env.str("MAILGUN_WEBHOOK_SIGNING_KEY", default=""),
        # "user:password" the provider's webhook sends as HTTP basic auth (anymail checks it).
        "WEBHOOK_SECRET": env.str("EMAIL_WEBHOOK_SECRET", default=""),
    }.items()
    if v
}
if EMAIL_PROVIDER == "postmark":
    EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
elif EMAIL_PROVIDER == "mailgun":
    EMAIL_BACKEND = "anymail.backends.mailgun.EmailBackend"

# --- Stripe ---------------------------------------------------------------------------------
# Local mode: no real key configured -> talk to localstripe (see payments/localstripe.py).
LOCALSTRIPE_PORT = env.int("LOCALSTRIPE_PORT", default=8420)
LOCAL_STRIPE_SECRET_KEY = "sk_test_localstripe"
LOCAL_STRIPE_WEBHOOK_SECRET = "whsec_localstripe_coaching_platform"
STRIPE_SECRET_KEY = env.str(
    "STRIPE_SECRET_KEY", default="" if IS_PRODUCTION else LOCAL_STRIPE_SECRET_KEY
)
STRIPE_PUBLISHABLE_KEY = env.str(
    "STRIPE_PUBLISHABLE_KEY", default="" if IS_PRODUCTION else "pk_test_localstripe"
)
STRIPE_WEBHOOK_SECRET = env.str(
    "STRIPE_WEBHOOK_SECRET", default="" if IS_PRODUCTION else LOCAL_STRIPE_WEBHOOK_SECRET
)
# The Connect endpoint (account.updated, transfer.*) has its own signing secret.
LOCAL_STRIPE_CONNECT_WEBHOOK_SECRET = "whsec_localstripe_coaching_connect"
STRIPE_CONNECT_WEBHOOK_SECRET = env.str(
    "STRIPE_CONNECT_WEBHOOK_SECRET",
    default="" if IS_PRODUCTION else LOCAL_STRIPE_CONNECT_WEBHOOK_SECRET,
)
STRIPE_API_BASE = env.str(
    "STRIPE_API_BASE",
    default="" if IS_PRODUCTION else f"http://127.0.0.1:{LOCALSTRIPE_PORT}",
).rstrip("/")
STRIPE_LOCAL_MODE = bool(STRIPE_API_BASE)
STRIPE_JS_URL = (
    f"{STRIPE_API_BASE}/js.stripe.com/v3/" if STRIPE_LOCAL_MODE else "https://js.stripe.com/v3/"
)

# --- Content-Security-Policy (django-csp) ---------------------------------------------------
# Scripts only from our static files and Stripe.js (js.stripe.com in production, localstripe's
# stand-in locally): no inline scripts, handlers or eval anywhere (htmx trigger filters are not
# used: the offline pollers listen to app.js's "offline-poll" event instead).
_STRIPE_ORIGINS = (
    [STRIPE_API_BASE]
    if STRIPE_LOCAL_MODE
    else ["https://js.stripe.com", "https://api.stripe.com", "https://hooks.stripe.com"]
)
_STRIPE_FORM_TARGETS = [STRIPE_API_BASE] if STRIPE_LOCAL_MODE else ["https://connect.stripe.com"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", *_STRIPE_ORIGINS],
        "connect-src": ["'self'", *_STRIPE_ORIGINS],
        "frame-src": ["'self'", *_STRIPE_ORIGINS],
        # htmx adds its indicator style element; templates use no inline scripts but some
        # style attributes, which CSP cannot load code through.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        # The "Get paid" forms answer with a redirect to Stripe Connect's onboarding or
        # dashboard (connect.stripe.com; locally the stand-in on localstripe's base), and
        # Chromium applies form-action to that redirect too.
        "form-action": ["'self'", *_STRIPE_FORM_TARGETS],
        "frame-ancestors": ["'none'"],
    }
}

# --- Business defaults ----------------------------------------------------------------------
DEFAULT_CURRENCY = "CHF"
DEFAULT_VAT_RATE = Decimal(env.str("DEFAULT_VAT_RATE", default="8.1"))
DEFAULT_PLATFORM_FEE_PERCENT = Decimal(env.str("DEFAULT_PLATFORM_FEE_PERCENT", default="15"))
SEAT_HOLD_MINUTES = env.int("SEAT_HOLD_MINUTES", default=15)
# Guest bookings of free sessions (no account): attempts per hour from one IP address and for
# one email address, then 429 with Retry-After.
GUEST_BOOKING_LIMIT_PER_HOUR = env.int("GUEST_BOOKING_LIMIT_PER_HOUR", default=10)
# The guest's signed manage link works until this many days after the session ends.
GUEST_LINK_DAYS_AFTER = env.int("GUEST_LINK_DAYS_AFTER", default=1)
# A seat freed on a full webinar is held this long for the first person on its waitlist.
WAITLIST_OFFER_HOURS = env.int("WAITLIST_OFFER_HOURS", default=12)
# Largest webinar material a coach may upload (webinars/services/editing/checks.py).
WEBINAR_MATERIAL_MAX_BYTES = env.int("WEBINAR_MATERIAL_MAX_BYTES", default=20 * 1024 * 1024)
# reconcile_payments: ask Stripe about payments unfinished for this long; cancel abandoned ones.
PAYMENT_RECONCILE_AFTER_MINUTES = env.int("PAYMENT_RECONCILE_AFTER_MINUTES", default=10)
PAYMENT_ABANDON_HOURS = env.int("PAYMENT_ABANDON_HOURS", default=24)
# Payouts (docs/payouts.md, docs/adr/): a payment's coach share is due this long after the
# service ended (0 allowed); the payout run retries a failed transfer up to PAYOUT_MAX_ATTEMPTS.
PAYOUT_HOLD_HOURS = env.int("PAYOUT_HOLD_HOURS", default=48)
PAYOUT_MAX_ATTEMPTS = env.int("PAYOUT_MAX_ATTEMPTS", default=6)
PAYOUT_CONNECT_COUNTRY = env.str("PAYOUT_CONNECT_COUNTRY", default="CH")
# Disputes (docs/disputes.md): who bears a lost dispute (proportional: the coach their share
# of the disputed amount; coach_bears; platform_bears), whether a paid coach's part is reversed
# as soon as a dispute opens, and how many days before `due_by` staff are reminded.
DISPUTE_LOSS_POLICY = env.str("DISPUTE_LOSS_POLICY", default="proportional")
DISPUTE_REVERSE_PAID_ON_OPEN = env.bool("DISPUTE_REVERSE_PAID_ON_OPEN", default=True)
DISPUTE_REMIND_DAYS_BEFORE = env.int("DISPUTE_REMIND_DAYS_BEFORE", default=3)
# Refund requests (docs/refunds.md): a client may ask within REFUND_REQUEST_DAYS after the
# service ended; the coach answers within REFUND_COACH_RESPONSE_HOURS, else staff decide.
REFUND_REQUEST_DAYS = env.int("REFUND_REQUEST_DAYS", default=14)
REFUND_COACH_RESPONSE_HOURS = env.int("REFUND_COACH_RESPONSE_HOURS", default=72)

# --- Integrations (integrations/, README "Calendly") --------------------------------------
# Calendly's API v2. `make run` starts the stand-in (integrations/calendly_standin/, demo
# token calendly-demo-token) on 127.0.0.1:CALENDLY_STANDIN_PORT and points this at it.
CALENDLY_STANDIN_PORT = env.int("CALENDLY_STANDIN_PORT", default=8430)
CALENDLY_API_BASE = env.str("CALENDLY_API_BASE", default="https://api.calendly.com").rstrip("/")
CALENDLY_TIMEOUT_SECONDS = env.float("CALENDLY_TIMEOUT_SECONDS", default=10.0)
# Tokens and signing keys of connected services are stored encrypted with this Fernet key
# (`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`).
LOCAL_FIELD_ENCRYPTION_KEY = "bG9jYWwtZGV2LW9ubHktbm90LXNlY3JldC1rZXkhISE="
FIELD_ENCRYPTION_KEY = env.str(
    "FIELD_ENCRYPTION_KEY", default="" if IS_PRODUCTION else LOCAL_FIELD_ENCRYPTION_KEY
)

# --- Invoicing (the platform is the deemed supplier; see docs/invoicing.md) ----------------
LOCAL_PLATFORM_LEGAL_NAME = "Coaching Platform GmbH (local demo)"
PLATFORM_LEGAL_NAME = env.str(
    "PLATFORM_LEGAL_NAME", default="" if IS_PRODUCTION else LOCAL_PLATFORM_LEGAL_NAME
)
PLATFORM_ADDRESS = env.str(
    "PLATFORM_ADDRESS",
    default="" if IS_PRODUCTION else "Musterstrasse 1\n8000 Zürich\nSwitzerland",
).replace("\\n", "\n")
PLATFORM_VAT_NUMBER = env.str(
    "PLATFORM_VAT_NUMBER", default="" if IS_PRODUCTION else "CHE-123.456.789 MWST"
)
# Invoice dates, supply dates and the year of each number series are in this zone.
PLATFORM_TIME_ZONE = env.str("PLATFORM_TIME_ZONE", default="Europe/Zurich")
SELF_BILLING_AGREEMENT_VERSION = "2026-1"
SELF_BILLING_CONTEST_DAYS = env.int("SELF_BILLING_CONTEST_DAYS", default=30)

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if IS_PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Replaces Django's default "django" handler, which printed every line a second time.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},  # one INFO line per rendering step otherwise
        "fontTools": {"level": "WARNING"},
    },
}


if IS_PRODUCTION:
    # Refuse to start with a missing or unsafe setting, naming each variable.
    from config.production_checks import check_production

    check_production(globals(), env)


# --- Error monitoring -----------------------------------------------------------------------
# SENTRY_DSN switches sentry-sdk on (config/monitoring.py: Django, Celery and Redis, no personal
# data); the SDK is imported only when a DSN is set.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from config.monitoring import init_sentry

    init_sentry(env, dsn=SENTRY_DSN, default_environment=DJANGO_ENV)
