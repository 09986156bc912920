"""The signed link in a guest's emails (`/bookings/guest/<token>/`): who holds it may view,
cancel or reschedule that one booking, and a signed-in account holder with the same verified
address may claim it. django.core.signing with its own salt; the token names the booking and
a digest of the guest's address, so it cannot be pointed at another booking, and it stops
working GUEST_LINK_DAYS_AFTER days after the session ends."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

SALT = "bookings.guest-manage"


@dataclass(frozen=True)
class GuestActor:
    """The holder of a valid guest link, as the transition services' `user`: it may act as
    the client of `booking_id` only (transitions._require_client)."""

    booking_id: int
    name: str
    email: str
    pk = None
    is_authenticated = False

    @property
    def display_name(self) -> str:
        return self.name or self.email


def _email_digest(email: str) -> str:
    return hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:20]


def make_token(booking) -> str:
    return signing.dumps({"b": booking.pk, "e": _email_digest(booking.guest_email)}, salt=SALT)


def manage_path(booking) -> str:
    return reverse("bookings:guest_manage", args=[make_token(booking)])


def manage_url(booking) -> str:
    return f"{settings.SITE_URL}{manage_path(booking)}"


def read_token(token: str) -> dict | None:
    """The token's claims, or None when it was tampered with or is not ours."""
    if not isinstance(token, str) or len(token) > 300:
        return None
    try:
        claims = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(claims, dict) or not isinstance(claims.get("b"), int):
        return None
    return claims


def link_valid_for(booking, claims: dict, *, now: dt.datetime | None = None) -> bool:
    """The link belongs to this guest booking and the session ended less than
    GUEST_LINK_DAYS_AFTER days ago."""
    now = now or timezone.now()
    days = getattr(settings, "GUEST_LINK_DAYS_AFTER", 1)
    return (
        booking.source == "guest"
        and bool(booking.guest_email)
        and claims.get("e") == _email_digest(booking.guest_email)
        and now <= booking.end + dt.timedelta(days=days)
    )
