"""The client's IP address for throttles (discount codes, logins via django-axes).

Behind a reverse proxy every request comes from the proxy, so set TRUSTED_PROXY_COUNT to the
number of proxies in front of the app (1 behind the nginx of docs/deploy.md): the address is
then read from X-Forwarded-For, counted from the right so a client cannot choose it."""

from __future__ import annotations

from django.conf import settings


def client_ip(request) -> str | None:
    """None when the request has no address (e.g. the test client's force_login)."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        return forwarded[0] if forwarded else remote
    return forwarded[-proxies]
