"""Error monitoring with Sentry, switched on by SENTRY_DSN (config/settings.py imports this
module only then, so the SDK is never loaded without a DSN)."""

from __future__ import annotations


def init_sentry(env, *, dsn: str, default_environment: str) -> None:
    """sentry-sdk with the Django, Celery and Redis integrations. No personal data leaves:
    send_default_pii=False keeps users' emails, IP addresses, cookies and request bodies out
    of events. SENTRY_ENVIRONMENT (default DJANGO_ENV), SENTRY_RELEASE (e.g. the git commit),
    SENTRY_TRACES_SAMPLE_RATE (default 0: errors only)."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.redis import RedisIntegration

    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration(), CeleryIntegration(), RedisIntegration()],
        send_default_pii=False,
        environment=env.str("SENTRY_ENVIRONMENT", default=default_environment),
        release=env.str("SENTRY_RELEASE", default="") or None,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )
