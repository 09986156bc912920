"""Can this coach take paid bookings? (seeds 000/001 `COACH_PAYMENTS_NOT_CONFIGURED`)

Ready = Stripe said so for the coach's Connect account: details submitted, payouts enabled,
`transfers` capability active (stored from account.updated or a fetch)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from payments.payouts.models import ConnectAccount

if TYPE_CHECKING:
    from accounts.models import Coach


def coach_can_take_payments(coach: Coach) -> bool:
    if not coach.stripe_account_id:
        return False
    return ConnectAccount.objects.filter(
        ConnectAccount.READY, coach_id=coach.pk, stripe_account_id=coach.stripe_account_id
    ).exists()
