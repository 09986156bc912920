"""The production start-up check (config/settings.py calls it when DJANGO_ENV=production):
every missing or unsafe setting is named in one ImproperlyConfigured, so a deployment fails at
start instead of at its first payment, invoice or email."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured


def is_fernet_key(value: str) -> bool:
    try:
        return len(base64.urlsafe_b64decode(value.encode())) == 32
    except (binascii.Error, ValueError):
        return False


def check_production(s: Mapping[str, Any], env) -> None:
    """Refuse to start in production with a missing or unsafe setting, naming the variable.
    `s` is the settings module's namespace."""
    problems = []
    secret_key = s["SECRET_KEY"]
    if not secret_key or secret_key == s["LOCAL_SECRET_KEY"] or len(secret_key) < 50:
        problems.append("DJANGO_SECRET_KEY must be set to a random value of at least 50 characters")
    if not s["ALLOWED_HOSTS"]:
        problems.append("DJANGO_ALLOWED_HOSTS must list the site's host names")
    stripe_key = s["STRIPE_SECRET_KEY"]
    if not stripe_key.startswith(("sk_live_", "sk_test_", "rk_live_", "rk_test_")) or (
        stripe_key == s["LOCAL_STRIPE_SECRET_KEY"]
    ):
        problems.append(
            "STRIPE_SECRET_KEY must be a real Stripe secret key (sk_live_... or sk_test_...)"
        )
    publishable = s["STRIPE_PUBLISHABLE_KEY"]
    if not publishable.startswith("pk_") or publishable == "pk_test_localstripe":
        problems.append("STRIPE_PUBLISHABLE_KEY must be a real Stripe publishable key (pk_...)")
    webhook_secret = s["STRIPE_WEBHOOK_SECRET"]
    if not webhook_secret.startswith("whsec_") or (
        webhook_secret == s["LOCAL_STRIPE_WEBHOOK_SECRET"]
    ):
        problems.append("STRIPE_WEBHOOK_SECRET must be the endpoint's signing secret (whsec_...)")
    connect_secret = s["STRIPE_CONNECT_WEBHOOK_SECRET"]
    if not connect_secret.startswith("whsec_") or (
        connect_secret == s["LOCAL_STRIPE_CONNECT_WEBHOOK_SECRET"]
    ):
        problems.append(
            "STRIPE_CONNECT_WEBHOOK_SECRET must be the Connect endpoint's secret (whsec_...)"
        )
    if not env.str("DATABASE_URL", default=""):
        problems.append("DATABASE_URL must point at PostgreSQL")
    if not s["REDIS_URL"]:
        problems.append("REDIS_URL must point at Redis (channel layer and Celery broker)")
    for name in ("PLATFORM_LEGAL_NAME", "PLATFORM_ADDRESS", "PLATFORM_VAT_NUMBER"):
        value = s[name].strip()
        if not value or value == s["LOCAL_PLATFORM_LEGAL_NAME"]:
            problems.append(f"{name} must be set (it is printed on every invoice)")
    field_key = s["FIELD_ENCRYPTION_KEY"]
    if not field_key or field_key == s["LOCAL_FIELD_ENCRYPTION_KEY"]:
        problems.append(
            "FIELD_ENCRYPTION_KEY must be a Fernet key of your own (it encrypts Calendly tokens)"
        )
    elif not is_fernet_key(field_key):
        problems.append("FIELD_ENCRYPTION_KEY is not a Fernet key (32 url-safe base64 bytes)")
    provider, anymail = s["EMAIL_PROVIDER"], s["ANYMAIL"]
    if provider not in s["EMAIL_PROVIDERS"]:
        problems.append(f"EMAIL_PROVIDER must be one of {', '.join(s['EMAIL_PROVIDERS'])}")
    if provider == "postmark" and not anymail.get("POSTMARK_SERVER_TOKEN"):
        problems.append("POSTMARK_SERVER_TOKEN must be set for EMAIL_PROVIDER=postmark")
    if provider == "mailgun":
        for name in ("MAILGUN_API_KEY", "MAILGUN_SENDER_DOMAIN", "MAILGUN_WEBHOOK_SIGNING_KEY"):
            if not anymail.get(name):
                problems.append(f"{name} must be set for EMAIL_PROVIDER=mailgun")
    if provider != "smtp" and ":" not in anymail.get("WEBHOOK_SECRET", ""):
        problems.append(
            "EMAIL_WEBHOOK_SECRET must be 'user:password' (basic auth of the tracking webhook)"
        )
    if problems:
        raise ImproperlyConfigured(
            "Production settings incomplete:\n  - " + "\n  - ".join(problems)
        )
