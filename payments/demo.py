"""Demo payouts: every demo coach gets a real Connect account on the stand-in and goes
through its onboarding form, so paid webinars and sessions are bookable on a fresh clone.

Needs localstripe up (runlocal starts it before seeding). Without it (or with real Stripe)
the coaches stay "not connected" and the seed says so; run seed_demo again later."""

from __future__ import annotations

from typing import TYPE_CHECKING

import requests
from django.conf import settings

from accounts.models import Coach
from core.demo_accounts import OTHER_COACHES
from payments.errors import PaymentError

if TYPE_CHECKING:
    from django.core.management.base import OutputWrapper

    from accounts.models import User


def _onboard_on_standin(coach: Coach) -> str:
    from payments.payouts import gateway
    from payments.payouts.connect import connect_account_ensure, connect_account_sync

    account = connect_account_ensure(coach=coach)
    if not account.is_ready:
        link = gateway.account_link_create(
            account_id=account.stripe_account_id,
            refresh_url=f"{settings.SITE_URL}/coach/payouts/refresh/",
            return_url=f"{settings.SITE_URL}/coach/payouts/return/",
        )
        requests.post(link["url"], data={"action": "complete"}, allow_redirects=False, timeout=10)
        account = connect_account_sync(coach=coach) or account
    return f"{coach.user.email}: {account.stripe_account_id} ({account.state})"


def seed(*, coach: Coach, clients: list[User], stdout: OutputWrapper | None = None) -> list[str]:
    emails = [coach.user.email, *(login.email for login, _ in OTHER_COACHES)]
    coaches = Coach.objects.filter(user__email__in=emails).select_related("user")
    if not settings.STRIPE_LOCAL_MODE:
        return ["real Stripe configured: coaches connect themselves under /coach/payouts/"]
    lines = []
    for one in coaches:
        try:
            lines.append(_onboard_on_standin(one))
        except (PaymentError, requests.RequestException) as exc:
            message = getattr(exc, "message", str(exc))
            lines.append(
                f"{one.user.email}: not onboarded ({message}); start localstripe and run "
                "seed_demo again"
            )
    return lines
