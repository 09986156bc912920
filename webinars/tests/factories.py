from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.tests.factories import CoachFactory, UserFactory
from webinars.models import Material, Registration, Webinar, WebinarSlot


class WebinarFactory(factory.django.DjangoModelFactory):
    """A scheduled paid webinar (CHF 120, 20 seats) with one slot a week from now.

    `starts_in=timedelta(...)` moves the slot; `slots=False` creates none."""

    class Meta:
        model = Webinar
        skip_postgeneration_save = True

    coach = factory.SubFactory(CoachFactory)
    title = factory.Sequence(lambda n: f"Leading remote teams #{n}")
    description = "Two hours on trust, rituals and feedback in distributed teams."
    price = Decimal("120.00")
    currency = "CHF"
    max_attendees = 20
    min_attendees = 0
    status = Webinar.Status.SCHEDULED
    vat_rate = Decimal("8.1")
    platform_fee_percent = Decimal("15")

    @factory.post_generation
    def slots(obj, create, extracted, starts_in=None, **kwargs):
        if not create or extracted is False:
            return
        start = timezone.now() + (starts_in if starts_in is not None else timedelta(days=7))
        WebinarSlot.objects.create(webinar=obj, start=start, end=start + timedelta(hours=2))


class WebinarSlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebinarSlot

    webinar = factory.SubFactory(WebinarFactory, slots=False)
    start = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    end = factory.LazyAttribute(lambda o: o.start + timedelta(hours=2))


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A confirmed registration at the webinar's price."""

    class Meta:
        model = Registration

    webinar = factory.SubFactory(WebinarFactory)
    user = factory.SubFactory(UserFactory)
    status = Registration.Status.CONFIRMED
    amount = factory.LazyAttribute(lambda o: o.webinar.price or Decimal("0"))
    currency = factory.LazyAttribute(lambda o: o.webinar.currency)
    price_reason = Registration.PriceReason.REGULAR
    confirmed_at = factory.LazyFunction(timezone.now)


class HeldRegistrationFactory(RegistrationFactory):
    status = Registration.Status.HELD
    confirmed_at = None
    hold_expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=15))


class MaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Material

    webinar = factory.SubFactory(WebinarFactory)
    title = "Slides (PDF)"
    file = factory.django.FileField(filename="slides.pdf", data=b"%PDF-1.4 slides")
