"""Coach onboarding on Stripe Connect: the account (created once), fresh onboarding links,
the Express dashboard login link, and applying what Stripe says about an account.

Readiness only ever comes from Stripe's account object (account.updated or a fetch), never
from a coach reaching the return URL."""

from __future__ import annotations

import logging
from typing import Any, overload

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Coach
from payments.errors import PaymentError
from payments.payouts import gateway
from payments.payouts.models import ConnectAccount

logger = logging.getLogger(__name__)


def connect_account_ensure(*, coach: Coach) -> ConnectAccount:
    """The coach's Connect account, created at Stripe on first use (idempotent: the same key
    for the same coach, so two clicks or a retry after a timeout make one account)."""
    existing = ConnectAccount.objects.filter(coach=coach).first()
    if existing is not None:
        return existing
    if coach.stripe_account_id:
        # An id without a stored state (older data): adopt it if Stripe knows it.
        try:
            return connect_account_apply(
                coach=coach, account=gateway.account_retrieve(coach.stripe_account_id)
            )
        except PaymentError:
            logger.warning("coach %s: stored account %s unknown to Stripe", coach.pk, coach.pk)
    account = gateway.account_create(
        email=coach.user.email,
        coach_id=coach.pk,
        country=settings.PAYOUT_CONNECT_COUNTRY,
        idempotency_key=f"connect-account-coach-{coach.pk}",
    )
    return connect_account_apply(coach=coach, account=account)


@overload
def connect_account_apply(*, account: dict[str, Any], coach: Coach) -> ConnectAccount: ...
@overload
def connect_account_apply(
    *, account: dict[str, Any], coach: None = None
) -> ConnectAccount | None: ...
@transaction.atomic
def connect_account_apply(
    *, account: dict[str, Any], coach: Coach | None = None
) -> ConnectAccount | None:
    """Store Stripe's view of an account (from account.updated or a fetch). Returns None for
    an account that is not one of our coaches'."""
    account_id = account["id"]
    row = ConnectAccount.objects.select_for_update().filter(stripe_account_id=account_id).first()
    if row is None:
        if coach is None:
            coach_id = (account.get("metadata") or {}).get("coach_id")
            coach = Coach.objects.filter(pk=coach_id or 0, stripe_account_id=account_id).first()
            if coach is None:
                logger.info("account %s is not one of our coaches", account_id)
                return None
        row, _ = ConnectAccount.objects.select_for_update().get_or_create(
            coach=coach, defaults={"stripe_account_id": account_id}
        )
        row.stripe_account_id = account_id
        Coach.objects.filter(pk=coach.pk).update(stripe_account_id=account_id)
        coach.stripe_account_id = account_id
    was_ready = row.is_ready
    requirements = account.get("requirements") or {}
    row.details_submitted = bool(account.get("details_submitted"))
    row.payouts_enabled = bool(account.get("payouts_enabled"))
    row.transfers_capability = str((account.get("capabilities") or {}).get("transfers") or "")
    row.requirements_due = list(requirements.get("currently_due") or [])
    row.disabled_reason = str(requirements.get("disabled_reason") or "")
    row.synced_at = timezone.now()
    row.save()
    if row.is_ready != was_ready:
        logger.info("coach %s payouts ready: %s", row.coach_id, row.is_ready)
    return row


def connect_account_sync(*, coach: Coach) -> ConnectAccount | None:
    """Re-fetch the coach's account from Stripe (repairs a lost account.updated)."""
    row = ConnectAccount.objects.filter(coach=coach).first()
    account_id = row.stripe_account_id if row else coach.stripe_account_id
    if not account_id:
        return None
    return connect_account_apply(coach=coach, account=gateway.account_retrieve(account_id))


def connect_onboarding_url(*, coach: Coach, refresh_url: str, return_url: str) -> str:
    """A fresh AccountLink (single-use, short-lived: never stored)."""
    account = connect_account_ensure(coach=coach)
    link = gateway.account_link_create(
        account_id=account.stripe_account_id, refresh_url=refresh_url, return_url=return_url
    )
    url: str = link["url"]
    return url


def connect_dashboard_url(*, coach: Coach) -> str:
    row = ConnectAccount.objects.filter(coach=coach).first()
    if row is None:
        raise PaymentError("Connect your payout account first.", code="not_connected")
    url: str = gateway.login_link_create(account_id=row.stripe_account_id)["url"]
    return url
