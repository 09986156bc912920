"""Email verification links (signup and email change): signed, expiring, tied to one address.

A token carries the user's id and the address it confirms, signed with the SECRET_KEY and a
timestamp. It confirms that address only while it is still the account's email (signup) or
its pending new email (a change); a second use finds it already done, an expired or forged
one is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing

_SALT = "accounts.verify-email"


def max_age_seconds() -> int:
    return int(getattr(settings, "EMAIL_VERIFICATION_MAX_AGE", 3 * 24 * 3600))


@dataclass(frozen=True)
class VerifyClaim:
    user_id: int
    email: str


def make_token(*, user_id: int, email: str) -> str:
    return signing.dumps({"u": user_id, "e": email.lower()}, salt=_SALT, compress=True)


def read_token(token: str) -> VerifyClaim | None:
    """The claim of a valid, unexpired token; None for anything else."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=max_age_seconds())
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict):
        return None
    user_id, email = data.get("u"), data.get("e")
    if not isinstance(user_id, int) or not isinstance(email, str):
        return None
    return VerifyClaim(user_id=user_id, email=email)
