"""Stripe customers and saved cards."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model

from payments import finalize, gateway
from payments.errors import (
    PaymentError,
    PaymentNotFound,
)
from payments.selectors import SavedCard

if TYPE_CHECKING:
    from accounts.models import User


# --- customers and saved cards ----------------------------------------------------------------


def customer_ensure(*, user: User) -> str:
    """The user's Stripe customer id, created on first use and stored on the user."""
    if user.stripe_customer_id:
        return user.stripe_customer_id
    customer = gateway.customer_create(
        email=user.email,
        name=user.get_full_name() or user.email,
        user_id=user.pk,
        idempotency_key=f"customer-{user.pk}",
    )
    # Two first requests at once: the first id stored wins (Stripe returns the same customer
    # for the same idempotency key anyway).
    stored = (
        get_user_model()
        .objects.filter(pk=user.pk, stripe_customer_id="")
        .update(stripe_customer_id=customer["id"])
    )
    if stored:
        user.stripe_customer_id = customer["id"]
    else:  # another request stored its id first: that one is the user's
        user.refresh_from_db(fields=["stripe_customer_id"])
    return user.stripe_customer_id


def setup_intent_create(*, user: User) -> str:
    """Client secret of a SetupIntent for the Card Element (`stripe.confirmCardSetup`)."""
    customer_id = customer_ensure(user=user)
    setup_intent = gateway.setup_intent_create(
        customer_id=customer_id, idempotency_key=f"setup-{user.pk}-{uuid.uuid4().hex}"
    )
    client_secret: str = setup_intent["client_secret"]
    return client_secret


def payment_method_save(*, user: User, setup_intent_id: str) -> SavedCard:
    """Keep the card a confirmed SetupIntent produced on the user's customer.

    Real Stripe attaches it already; localstripe does not, so attach when needed."""
    customer_id = customer_ensure(user=user)
    setup_intent = gateway.setup_intent_retrieve(setup_intent_id)
    if setup_intent.get("customer") != customer_id:
        raise PaymentNotFound("We could not find that card setup.", code="setup_not_found")
    if setup_intent.get("status") != "succeeded":
        raise PaymentError("The card could not be saved. Please try again.", code="setup_failed")
    payment_method_id = finalize.stripe_id_of(setup_intent.get("payment_method"))
    card = gateway.payment_method_retrieve(payment_method_id)
    if card.get("customer") != customer_id:
        card = gateway.payment_method_attach(
            payment_method_id=payment_method_id,
            customer_id=customer_id,
            idempotency_key=f"attach-{payment_method_id}",
        )
    return SavedCard.from_stripe(card)


def payment_method_detach(*, user: User, payment_method_id: str) -> None:
    card = gateway.payment_method_retrieve(payment_method_id)
    if not user.stripe_customer_id or card.get("customer") != user.stripe_customer_id:
        raise PaymentNotFound("That card is not one of your saved cards.", code="foreign_card")
    gateway.payment_method_detach(
        payment_method_id=payment_method_id, idempotency_key=f"detach-{payment_method_id}"
    )
