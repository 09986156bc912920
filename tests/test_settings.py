"""The one settings module switches between embedded defaults, real services and production.

Each case executes config/settings.py afresh with a controlled environment (the module reads
the environment only while it runs); `check --deploy` runs in a real subprocess.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import types

import pytest
from django.core.exceptions import ImproperlyConfigured

from conftest import ROOT

# Variables the settings read; cleared so the developer's or CI's own environment (CI exports
# DATABASE_URL and REDIS_URL) cannot leak into a case.
SETTINGS_VARIABLES = {
    "DJANGO_ENV",
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_DEBUG",
    "DATABASE_URL",
    "REDIS_URL",
    "CHANNELS_REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "CELERY_TASK_ALWAYS_EAGER",
    "EMAIL_URL",
    "STRIPE_SECRET_KEY",
    "STRIPE_PUBLISHABLE_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "STRIPE_CONNECT_WEBHOOK_SECRET",
    "PAYOUT_HOLD_HOURS",
    "STRIPE_API_BASE",
    "LOCALSTRIPE_PORT",
    "SITE_URL",
    "DJANGO_CSRF_TRUSTED_ORIGINS",
    "MEDIA_ROOT",
    "STATIC_ROOT",
    "PLATFORM_LEGAL_NAME",
    "PLATFORM_ADDRESS",
    "PLATFORM_VAT_NUMBER",
    "DB_CONN_MAX_AGE",
    "FIELD_ENCRYPTION_KEY",
    "CALENDLY_API_BASE",
    "EMAIL_PROVIDER",
    "POSTMARK_SERVER_TOKEN",
    "MAILGUN_API_KEY",
    "MAILGUN_SENDER_DOMAIN",
    "MAILGUN_API_URL",
    "MAILGUN_WEBHOOK_SIGNING_KEY",
    "EMAIL_WEBHOOK_SECRET",
    "SENTRY_DSN",
    "SENTRY_ENVIRONMENT",
    "SENTRY_RELEASE",
    "SENTRY_TRACES_SAMPLE_RATE",
}

PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "p" * 20 + "-production-secret-key-for-tests-only-" + "q" * 20,
    "DJANGO_ALLOWED_HOSTS": "coaching.example.com",
    "SITE_URL": "https://coaching.example.com",
    "DATABASE_URL": "postgres://app:secret@db.internal:5432/coaching",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "STRIPE_SECRET_KEY": "sk_live_51Hproductionkeyfortests",
    "STRIPE_PUBLISHABLE_KEY": "pk_live_51Hproductionkeyfortests",
    "STRIPE_WEBHOOK_SECRET": "whsec_productionsecretfortests",
    "STRIPE_CONNECT_WEBHOOK_SECRET": "whsec_productionconnectsecretfortests",
    "EMAIL_URL": "smtp://mailer:secret@smtp.example.com:587/?tls=True",
    "PLATFORM_LEGAL_NAME": "Coaching Platform AG",
    "PLATFORM_ADDRESS": "Bahnhofstrasse 1\\n8001 Zürich",
    "PLATFORM_VAT_NUMBER": "CHE-123.456.789 MWST",
    "FIELD_ENCRYPTION_KEY": "cHJvZHVjdGlvbi1maWVsZC1rZXktZm9yLXRlc3RzISE=",
}


def load_settings_module(env: dict[str, str], tmp_path) -> types.ModuleType:
    """config/settings.py executed afresh as its own module, with only `env` (and a private
    VAR_DIR) in the environment; the process environment is restored afterwards. The settings
    module reads the environment only while it runs, so this checks the same switch a new
    process would, in milliseconds (one real process: the `check --deploy` test below)."""
    saved = dict(os.environ)
    try:
        for variable in SETTINGS_VARIABLES:
            os.environ.pop(variable, None)
        os.environ.update(VAR_DIR=str(tmp_path / "var"), **env)
        spec = importlib.util.spec_from_file_location(
            "settings_under_test", ROOT / "config" / "settings.py"
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        os.environ.clear()
        os.environ.update(saved)


def load_settings(env: dict[str, str], tmp_path) -> dict:
    settings = load_settings_module(env, tmp_path)
    layer = settings.CHANNEL_LAYERS["default"]
    return {
        "db_engine": settings.DATABASES["default"]["ENGINE"],
        "db_name": str(settings.DATABASES["default"]["NAME"]),
        "channel_layer": layer["BACKEND"],
        "channel_hosts": [
            host["address"] if isinstance(host, dict) else host
            for host in layer.get("CONFIG", {}).get("hosts", [])
        ],
        "celery_eager": settings.CELERY_TASK_ALWAYS_EAGER,
        "celery_broker": settings.CELERY_BROKER_URL,
        "cache": settings.CACHES["default"]["BACKEND"],
        "session_engine": settings.SESSION_ENGINE,
        "email_backend": settings.EMAIL_BACKEND,
        "email_file_path": str(getattr(settings, "EMAIL_FILE_PATH", "")),
        "stripe_api_base": settings.STRIPE_API_BASE,
        "stripe_local_mode": settings.STRIPE_LOCAL_MODE,
        "stripe_js_url": settings.STRIPE_JS_URL,
        "stripe_secret_key": settings.STRIPE_SECRET_KEY,
        "debug": settings.DEBUG,
        "secure_ssl_redirect": getattr(settings, "SECURE_SSL_REDIRECT", False),
    }


def run_manage(env: dict[str, str], tmp_path, *args: str) -> subprocess.CompletedProcess:
    """`python manage.py ...` in a real subprocess with only `env` set."""
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    clean.update(VAR_DIR=str(tmp_path / "var"), DJANGO_SETTINGS_MODULE="config.settings", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_no_environment_uses_embedded_defaults(tmp_path):
    loaded = load_settings({}, tmp_path)

    assert loaded["db_engine"] == "django.db.backends.sqlite3"
    assert loaded["db_name"] == str(tmp_path / "var" / "db.sqlite3")
    assert loaded["channel_layer"] == "channels.layers.InMemoryChannelLayer"
    assert loaded["celery_eager"] is True
    assert loaded["celery_broker"] == "memory://"
    assert loaded["cache"].endswith("LocMemCache")
    # per-process memory is no place for sessions: a logout would not reach the other workers
    assert loaded["session_engine"] == "django.contrib.sessions.backends.db"
    assert loaded["email_backend"] == "django.core.mail.backends.filebased.EmailBackend"
    assert loaded["email_file_path"] == str(tmp_path / "var" / "mail")
    assert (tmp_path / "var" / "mail").is_dir()
    assert loaded["stripe_api_base"] == "http://127.0.0.1:8420"
    assert loaded["stripe_local_mode"] is True
    assert loaded["stripe_js_url"] == "http://127.0.0.1:8420/js.stripe.com/v3/"
    assert loaded["debug"] is True


def test_empty_database_and_redis_urls_mean_the_embedded_defaults(tmp_path):
    # `DATABASE_URL= make run` (an exported but empty variable) used to crash with KeyError.
    loaded = load_settings({"DATABASE_URL": "", "REDIS_URL": ""}, tmp_path)

    assert loaded["db_engine"] == "django.db.backends.sqlite3"
    assert loaded["db_name"] == str(tmp_path / "var" / "db.sqlite3")
    assert loaded["channel_layer"] == "channels.layers.InMemoryChannelLayer"


def test_database_and_redis_urls_switch_to_postgresql_redis_layer_and_real_broker(tmp_path):
    loaded = load_settings(
        {
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/h1_settings",
            "REDIS_URL": "redis://127.0.0.1:6379/5",
        },
        tmp_path,
    )

    assert loaded["db_engine"] == "django.db.backends.postgresql"
    assert loaded["db_name"] == "h1_settings"
    assert loaded["channel_layer"] == "channels_redis.core.RedisChannelLayer"
    assert loaded["channel_hosts"] == ["redis://127.0.0.1:6379/5"]
    assert loaded["celery_eager"] is False
    assert loaded["celery_broker"] == "redis://127.0.0.1:6379/5"
    assert loaded["cache"].endswith("RedisCache")
    assert loaded["session_engine"] == "django.contrib.sessions.backends.cached_db"


def test_localstripe_port_moves_the_local_stripe_base(tmp_path):
    loaded = load_settings({"LOCALSTRIPE_PORT": "8499"}, tmp_path)

    assert loaded["stripe_api_base"] == "http://127.0.0.1:8499"
    assert loaded["stripe_js_url"] == "http://127.0.0.1:8499/js.stripe.com/v3/"


def test_filemail_url_with_four_slashes_is_an_absolute_folder(tmp_path):
    mail_dir = tmp_path / "absolute-mail"
    loaded = load_settings({"EMAIL_URL": f"filemail:///{mail_dir}"}, tmp_path)

    assert loaded["email_file_path"] == str(mail_dir)
    assert mail_dir.is_dir()


def test_filemail_url_with_three_slashes_is_relative_to_the_project(tmp_path):
    # django-environ drops the leading slash; the settings anchor the rest at the project
    # folder so the mail does not depend on the current directory.
    loaded = load_settings({"EMAIL_URL": "filemail:///var/mail-relative-test"}, tmp_path)

    assert loaded["email_file_path"] == str(ROOT / "var" / "mail-relative-test")
    (ROOT / "var" / "mail-relative-test").rmdir()


def test_production_with_every_variable_uses_real_services_and_stripe(tmp_path):
    loaded = load_settings(PRODUCTION_ENV, tmp_path)

    assert loaded["debug"] is False
    assert loaded["db_engine"] == "django.db.backends.postgresql"
    assert loaded["channel_layer"] == "channels_redis.core.RedisChannelLayer"
    assert loaded["celery_eager"] is False
    assert loaded["email_backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert loaded["stripe_local_mode"] is False
    assert loaded["stripe_api_base"] == ""
    assert loaded["stripe_js_url"] == "https://js.stripe.com/v3/"
    assert loaded["secure_ssl_redirect"] is True


def test_production_keeps_database_connections_with_health_checks_by_default(tmp_path):
    """docs/deploy.md does not set DB_CONN_MAX_AGE: production must still reuse connections
    (checked before reuse), and the variable can still turn them off (the daphne unit)."""
    db = load_settings_module(PRODUCTION_ENV, tmp_path).DATABASES["default"]
    assert db["CONN_MAX_AGE"] == 60
    assert db["CONN_HEALTH_CHECKS"] is True
    off = load_settings_module({**PRODUCTION_ENV, "DB_CONN_MAX_AGE": "0"}, tmp_path)
    assert off.DATABASES["default"]["CONN_MAX_AGE"] == 0
    assert off.DATABASES["default"]["CONN_HEALTH_CHECKS"] is False
    longer = load_settings_module({**PRODUCTION_ENV, "DB_CONN_MAX_AGE": "300"}, tmp_path)
    assert longer.DATABASES["default"]["CONN_MAX_AGE"] == 300
    local = load_settings_module({}, tmp_path).DATABASES["default"]
    assert local["CONN_MAX_AGE"] == 0  # local and test runs: a connection per request


@pytest.mark.parametrize(
    "variable",
    [
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "STRIPE_SECRET_KEY",
        "STRIPE_PUBLISHABLE_KEY",
        "STRIPE_WEBHOOK_SECRET",
        "STRIPE_CONNECT_WEBHOOK_SECRET",
        "DATABASE_URL",
        "REDIS_URL",
        "PLATFORM_LEGAL_NAME",
        "PLATFORM_ADDRESS",
        "PLATFORM_VAT_NUMBER",
        "FIELD_ENCRYPTION_KEY",
    ],
)
def test_production_refuses_to_start_without_variable_and_names_it(variable, tmp_path):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != variable}

    with pytest.raises(ImproperlyConfigured, match=variable):
        load_settings_module(env, tmp_path)


@pytest.mark.parametrize(
    ("variable", "unsafe_value"),
    [
        ("DJANGO_SECRET_KEY", "short"),
        ("STRIPE_SECRET_KEY", "sk_test_localstripe"),
        ("STRIPE_WEBHOOK_SECRET", "whsec_localstripe_coaching_platform"),
        ("STRIPE_CONNECT_WEBHOOK_SECRET", "whsec_localstripe_coaching_connect"),
        ("PLATFORM_LEGAL_NAME", "Coaching Platform GmbH (local demo)"),
        ("PLATFORM_VAT_NUMBER", "   "),
        ("FIELD_ENCRYPTION_KEY", "bG9jYWwtZGV2LW9ubHktbm90LXNlY3JldC1rZXkhISE="),
        ("FIELD_ENCRYPTION_KEY", "not-a-fernet-key"),
    ],
)
def test_production_refuses_local_or_weak_values_and_names_the_variable(
    variable, unsafe_value, tmp_path
):
    with pytest.raises(ImproperlyConfigured, match=variable):
        load_settings_module({**PRODUCTION_ENV, variable: unsafe_value}, tmp_path)


def test_check_deploy_with_production_environment_prints_no_warnings(tmp_path):
    result = run_manage(PRODUCTION_ENV, tmp_path, "check", "--deploy")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_local_mode_prints_a_demo_supplier_on_invoices(tmp_path):
    module = load_settings_module({}, tmp_path)
    assert module.PLATFORM_LEGAL_NAME == "Coaching Platform GmbH (local demo)"
    assert module.PLATFORM_VAT_NUMBER == "CHE-123.456.789 MWST"
    assert module.PLATFORM_ADDRESS.splitlines() == ["Musterstrasse 1", "8000 Zürich", "Switzerland"]


def test_production_reads_the_platform_address_with_line_breaks(tmp_path):
    module = load_settings_module(PRODUCTION_ENV, tmp_path)
    assert module.PLATFORM_ADDRESS.splitlines() == ["Bahnhofstrasse 1", "8001 Zürich"]
