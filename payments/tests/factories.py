"""A payment row as the payment services leave it, for tests that need one without Stripe."""

from decimal import Decimal

import factory

from accounts.tests.factories import CoachFactory, UserFactory
from payments.models import Payment


class PaymentFactory(factory.django.DjangoModelFactory):
    """A CHF 150.00 1:1 session payment in flight (PROCESSING), VAT 8.1 % included, 15 % fee.

    `webinar=True` gives the CHF 120.00 webinar seat of WebinarFactory instead; any amount
    field can be overridden (the split is not recomputed)."""

    class Meta:
        model = Payment

    class Params:
        webinar = factory.Trait(
            purpose=Payment.Purpose.WEBINAR_REGISTRATION,
            amount_total=Decimal("120.00"),
            amount_net=Decimal("111.01"),
            vat_amount=Decimal("8.99"),
            platform_fee=Decimal("16.65"),
            coach_share=Decimal("94.36"),
        )

    payer = factory.SubFactory(UserFactory)
    coach = factory.SubFactory(CoachFactory)
    purpose = Payment.Purpose.SESSION_BOOKING
    status = Payment.Status.PROCESSING
    currency = "CHF"
    amount_total = Decimal("150.00")
    amount_net = Decimal("138.76")
    vat_rate = Decimal("8.1")
    vat_amount = Decimal("11.24")
    platform_fee = Decimal("20.81")
    coach_share = Decimal("117.95")
    stripe_payment_intent_id = factory.Sequence(lambda n: f"pi_test_factory_{n:06d}")
