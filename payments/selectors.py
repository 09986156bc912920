"""Reads of the payments app."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from payments import gateway
from payments.models import Payment

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class SavedCard:
    id: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int

    @classmethod
    def from_stripe(cls, payment_method: dict[str, Any]) -> SavedCard:
        card = payment_method.get("card") or {}
        return cls(
            id=payment_method["id"],
            brand=str(card.get("brand", "card")).title(),
            last4=str(card.get("last4", "")),
            exp_month=int(card.get("exp_month") or 0),
            exp_year=int(card.get("exp_year") or 0),
        )

    @property
    def label(self) -> str:
        return f"{self.brand} •••• {self.last4} (expires {self.exp_month:02d}/{self.exp_year})"

    def expires_soon_on(self, today: dt.date) -> bool:
        """Expires at the end of this month or next month (or already expired): the saved
        cards page and the payment step flag it before a booking relies on it."""
        if not (self.exp_month and self.exp_year):
            return False
        next_month = (today.year * 12 + today.month) + 1  # months since year 0, next month
        return self.exp_year * 12 + self.exp_month <= next_month

    @property
    def expires_soon(self) -> bool:
        return self.expires_soon_on(timezone.localdate())

    @property
    def is_expired(self) -> bool:
        today = timezone.localdate()
        return self.exp_year * 12 + self.exp_month < today.year * 12 + today.month


def saved_cards(*, user: User) -> list[SavedCard]:
    """The user's cards at Stripe (seed 001 GET /api/payments/methods). Calls Stripe."""
    if not user.stripe_customer_id:
        return []
    return [
        SavedCard.from_stripe(pm)
        for pm in gateway.payment_method_list(customer_id=user.stripe_customer_id)
    ]


def payment_of_payer(*, user: User, payment_intent_id: str) -> Payment | None:
    return Payment.objects.filter(stripe_payment_intent_id=payment_intent_id, payer=user).first()
