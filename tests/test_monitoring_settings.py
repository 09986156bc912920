"""Error monitoring and the email provider are switched on by the environment alone.

Sentry runs in a real subprocess (initialising the SDK in the test process would patch Django,
Celery and Redis for every later test); the DSN points at a closed port on 127.0.0.1 and no
event is captured, so nothing is sent anywhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from conftest import ROOT, free_port
from tests.test_settings import PRODUCTION_ENV, SETTINGS_VARIABLES, load_settings_module

PROBE = """
import json, sys
import django
django.setup()
loaded = "sentry_sdk" in sys.modules
out = {"loaded": loaded}
if loaded:
    import sentry_sdk
    client = sentry_sdk.get_client()
    out.update(
        active=client.is_active(),
        send_default_pii=client.options["send_default_pii"],
        environment=client.options["environment"],
        release=client.options["release"],
        integrations=sorted(client.integrations),
    )
print(json.dumps(out))
"""


def _probe(env: dict[str, str], tmp_path) -> dict:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in SETTINGS_VARIABLES and not k.startswith("SENTRY_")
    }
    clean.update(VAR_DIR=str(tmp_path / "var"), DJANGO_SETTINGS_MODULE="config.settings", **env)
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_sentry_dsn_initialises_sentry_without_personal_data(tmp_path):
    dsn = f"http://publickey@127.0.0.1:{free_port()}/1"
    out = _probe(
        {"SENTRY_DSN": dsn, "SENTRY_ENVIRONMENT": "staging", "SENTRY_RELEASE": "abc123"},
        tmp_path,
    )
    assert out["active"] is True
    assert out["send_default_pii"] is False
    assert (out["environment"], out["release"]) == ("staging", "abc123")
    assert {"django", "celery", "redis"} <= set(out["integrations"])


def test_without_sentry_dsn_the_sdk_is_not_even_imported(tmp_path):
    assert _probe({}, tmp_path) == {"loaded": False}


def test_email_provider_postmark_uses_anymail_with_its_token_and_webhook_secret(tmp_path):
    settings = load_settings_module(
        {
            "EMAIL_PROVIDER": "postmark",
            "POSTMARK_SERVER_TOKEN": "server-token",
            "EMAIL_WEBHOOK_SECRET": "hook:secret",
        },
        tmp_path,
    )
    assert settings.EMAIL_BACKEND == "anymail.backends.postmark.EmailBackend"
    assert settings.ANYMAIL == {
        "POSTMARK_SERVER_TOKEN": "server-token",
        "WEBHOOK_SECRET": "hook:secret",
    }


def test_email_provider_mailgun_reads_its_keys(tmp_path):
    settings = load_settings_module(
        {
            "EMAIL_PROVIDER": "mailgun",
            "MAILGUN_API_KEY": "key-1",
            "MAILGUN_SENDER_DOMAIN": "mg.example.com",
            "MAILGUN_WEBHOOK_SIGNING_KEY": "signing-1",
            "EMAIL_WEBHOOK_SECRET": "hook:secret",
        },
        tmp_path,
    )
    assert settings.EMAIL_BACKEND == "anymail.backends.mailgun.EmailBackend"
    assert settings.ANYMAIL["MAILGUN_SENDER_DOMAIN"] == "mg.example.com"
    assert settings.ANYMAIL["MAILGUN_WEBHOOK_SIGNING_KEY"] == "signing-1"


def test_local_runs_keep_the_file_backend(tmp_path):
    settings = load_settings_module({}, tmp_path)
    assert settings.EMAIL_PROVIDER == "smtp"
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend"


def test_production_refuses_a_provider_without_its_secrets(tmp_path):
    with pytest.raises(ImproperlyConfigured) as excinfo:
        load_settings_module({**PRODUCTION_ENV, "EMAIL_PROVIDER": "postmark"}, tmp_path)
    assert "POSTMARK_SERVER_TOKEN" in str(excinfo.value)
    assert "EMAIL_WEBHOOK_SECRET" in str(excinfo.value)
