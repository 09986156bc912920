"""HTTP helpers shared by every app (the lower layer: no domain imports)."""

from __future__ import annotations

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, default: str) -> str:
    """The form's `next` if it is a path on this site, else `default` (no open redirects).
    Only paths: redirect() would read any other text ("-5") as a view name and fail."""
    candidate = request.POST.get("next") or ""
    if (
        candidate.startswith("/")
        and "\x00" not in candidate
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return default
