"""Saved cards (seed 001 §5): list, set the default, delete. The default lives at Stripe as
the customer's `invoice_settings.default_payment_method` and is mirrored on the user
(`default_payment_method_id`) so pages preselect it without asking Stripe which it is.

Every write calls Stripe with no transaction or lock open and an idempotency key per request.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model

from payments import gateway, selectors
from payments.errors import CardDeclined, GatewayUnavailable, PaymentError, PaymentNotFound
from payments.selectors import SavedCard

if TYPE_CHECKING:
    from accounts.models import User


def cards_with_default(*, user: User) -> tuple[list[SavedCard], str]:
    """The user's cards (calls Stripe) and the id of the default one ("" when none is saved;
    a mirror pointing at a card no longer there counts as none)."""
    cards = selectors.saved_cards(user=user)
    ids = {card.id for card in cards}
    default = user.default_payment_method_id if user.default_payment_method_id in ids else ""
    return cards, default


def _own_card(*, user: User, payment_method_id: str) -> dict[str, Any]:
    try:
        card = gateway.payment_method_retrieve(payment_method_id)
    except (GatewayUnavailable, CardDeclined):
        raise
    except PaymentError as exc:  # Stripe knows no such card: the same answer as a foreign one
        raise PaymentNotFound("That card is not one of your saved cards.", code="no_card") from exc
    if not user.stripe_customer_id or card.get("customer") != user.stripe_customer_id:
        raise PaymentNotFound("That card is not one of your saved cards.", code="foreign_card")
    return card


def _mirror(*, user: User, payment_method_id: str) -> None:
    get_user_model().objects.filter(pk=user.pk).update(default_payment_method_id=payment_method_id)
    user.default_payment_method_id = payment_method_id


def _store_default(*, user: User, payment_method_id: str) -> None:
    gateway.customer_default_payment_method_set(
        customer_id=user.stripe_customer_id,
        payment_method_id=payment_method_id,
        idempotency_key=f"default-pm-{user.pk}-{uuid.uuid4().hex}",
    )
    _mirror(user=user, payment_method_id=payment_method_id)


def payment_method_set_default(*, user: User, payment_method_id: str) -> None:
    """Make one of the user's cards the default. Someone else's card: PaymentNotFound."""
    _own_card(user=user, payment_method_id=payment_method_id)
    _store_default(user=user, payment_method_id=payment_method_id)


def payment_method_saved(*, user: User, card: SavedCard) -> None:
    """After a card was added: the first one becomes the default."""
    cards, default = cards_with_default(user=user)
    if not default:
        _store_default(user=user, payment_method_id=card.id)


def payment_method_delete(*, user: User, payment_method_id: str) -> str:
    """Detach one of the user's cards at Stripe. Deleting the default promotes the newest
    remaining card (or clears the default when none is left). Returns the new default id."""
    _own_card(user=user, payment_method_id=payment_method_id)
    gateway.payment_method_detach(
        payment_method_id=payment_method_id, idempotency_key=f"detach-{payment_method_id}"
    )
    cards, default = cards_with_default(user=user)
    if default:
        return default
    promoted = cards[0].id if cards else ""
    _store_default(user=user, payment_method_id=promoted)
    return promoted
