"""Addresses we stop emailing: a hard bounce or a spam complaint reported by the provider's
tracking webhook (notifications.delivery) suppresses the address; every later email to it is
kept in the outbox as `suppressed` and never handed to the provider, while in-app
notifications go on. Staff lift a suppression in the admin; an owner who confirms the address
again (accounts' email confirmation link) lifts it too."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications.models import EmailSuppression

logger = logging.getLogger(__name__)


def normalize(email: str) -> str:
    return (email or "").strip().lower()


def is_suppressed(email: str) -> bool:
    address = normalize(email)
    if not address:
        return False
    return EmailSuppression.objects.filter(email=address, lifted_at__isnull=True).exists()


def suppressed_among(emails) -> set[str]:
    """Which of `emails` are suppressed (normalized), in one query."""
    addresses = {normalize(e) for e in emails} - {""}
    if not addresses:
        return set()
    return set(
        EmailSuppression.objects.filter(email__in=addresses, lifted_at__isnull=True).values_list(
            "email", flat=True
        )
    )


def active_suppression(email: str) -> EmailSuppression | None:
    address = normalize(email)
    if not address:
        return None
    return EmailSuppression.objects.filter(email=address, lifted_at__isnull=True).first()


def email_suppress(*, email: str, reason: str, detail: str = "", event=None) -> EmailSuppression:
    """Suppress `email` (idempotent: an active row is returned as it is). The unique
    constraint on the active row settles two webhooks racing for the same address."""
    address = normalize(email)
    existing = active_suppression(address)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            suppression = EmailSuppression.objects.create(
                email=address, reason=reason, detail=detail[:2000], event=event
            )
    except IntegrityError:  # the other webhook's row won the race: that one is active
        winner = active_suppression(address)
        assert winner is not None
        return winner
    _mark_accounts(address, reason)
    logger.info("email to %s suppressed (%s)", address, reason)
    return suppression


def _mark_accounts(address: str, reason: str) -> None:
    """The account(s) using the address carry the state, so the banner costs no query."""
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(email__iexact=address).update(email_undeliverable=reason)


@transaction.atomic
def suppression_lift(*, suppression_id: int, note: str) -> bool:
    """Lift one suppression (staff, in the admin). False if it was not active."""
    suppression = (
        EmailSuppression.objects.select_for_update()
        .filter(pk=suppression_id, lifted_at__isnull=True)
        .first()
    )
    if suppression is None:
        return False
    suppression.lifted_at = timezone.now()
    suppression.lifted_note = note[:200]
    suppression.save(update_fields=["lifted_at", "lifted_note"])
    _mark_accounts(suppression.email, "")
    return True


def suppressions_lift_for_address(*, email: str, note: str) -> int:
    """Lift the active suppression of `email`, if any (its owner proved it receives mail)."""
    address = normalize(email)
    lifted = EmailSuppression.objects.filter(email=address, lifted_at__isnull=True).update(
        lifted_at=timezone.now(), lifted_note=note[:200]
    )
    if lifted:
        _mark_accounts(address, "")
    return lifted
