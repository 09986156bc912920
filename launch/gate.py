"""Which requests pass the launch gate (settings.SITE_LAUNCHED = False).

Before launch the public sees the landing page, the legal pages and the lead form; webhooks,
the health probe, websockets, static/media files, the admin, login, logout and password reset
keep working; platform staff (superuser or role staff; not coaches) browse everything."""

from __future__ import annotations

from django.conf import settings
from django.urls import Resolver404, resolve

# Paths under these prefixes always pass: machines (webhooks, probes, websockets) and the
# admin and auth pages staff need to get in.
OPEN_PREFIXES = (
    "/admin/",
    "/healthz/",
    "/ws/",
    "/integrations/",
    "/payments/stripe/",  # Stripe and Connect webhooks
    "/legal/",
    "/leads/",
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/password-reset/",
    "/accounts/password_reset/",
    "/accounts/reset/",
)

# Resolved URL names that pass wherever their route lives (password reset pages, for one).
OPEN_URL_NAMES = {
    "core:home",
    "core:healthz",
    "accounts:login",
    "accounts:logout",
}


def _file_prefixes() -> tuple[str, ...]:
    return tuple(p for p in (settings.STATIC_URL, settings.MEDIA_URL) if p and p.startswith("/"))


def site_launched() -> bool:
    return bool(getattr(settings, "SITE_LAUNCHED", True))


def is_platform_staff(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.sees_everything)


def path_is_open(path: str) -> bool:
    if path == "/" or path.startswith(OPEN_PREFIXES + _file_prefixes()):
        return True
    try:
        match = resolve(path)
    except Resolver404:
        return False
    name = match.view_name
    return (
        name in OPEN_URL_NAMES
        or name.startswith("launch:")
        or "password_reset" in name
        or (match.url_name or "").endswith("webhook")  # any provider's (email, calendar, ...)
    )


def gate_closed_for(request) -> bool:
    """True when this visitor sees the pre-launch site (gate closed, not platform staff)."""
    return not site_launched() and not is_platform_staff(getattr(request, "user", None))
