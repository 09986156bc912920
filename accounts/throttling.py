"""What django-axes counts login failures by (settings AXES_*): the email as typed on the
site's and the admin's login forms, case-folded so "Anna@…" and "anna@…" share one count."""

from __future__ import annotations


def login_username(request, credentials: dict | None) -> str:
    value = (credentials or {}).get("username")
    if value is None and request is not None and hasattr(request, "POST"):
        value = request.POST.get("username")
    return str(value or "").strip().casefold()[:254]
