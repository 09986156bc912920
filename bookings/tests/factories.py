"""Factories and small helpers for 1:1 booking tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory
from django.utils import timezone

from accounts.tests.factories import CoachFactory, UserFactory
from bookings import scheduling
from bookings.models import (
    AvailabilitySlot,
    Booking,
    DiscountCode,
    SessionType,
    SpecialPeriod,
    TimeBasedRate,
)

ZURICH = ZoneInfo("Europe/Zurich")


def future_weekday(weekday: int = 0, *, weeks_ahead: int = 2) -> dt.date:
    """A date `weeks_ahead` weeks from now that falls on `weekday` (0 = Monday)."""
    today = timezone.now().astimezone(ZURICH).date()
    monday = scheduling.week_start(today) + dt.timedelta(weeks=weeks_ahead)
    return monday + dt.timedelta(days=weekday)


def at(day: dt.date, hour: int, minute: int = 0, tz: ZoneInfo = ZURICH) -> dt.datetime:
    """The UTC instant of a wall-clock time in `tz` (Zurich by default, the factories' zone)."""
    return scheduling.local_datetime(day, dt.time(hour, minute), tz)


class SessionTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionType

    coach = factory.SubFactory(CoachFactory)
    name = "1:1 Coaching"
    duration_default = 60
    duration_min = 30
    duration_max = 120
    duration_step = 15
    buffer_before_minutes = 0
    buffer_after_minutes = 0
    min_notice_hours = 2
    firm_booking_threshold_hours = 24
    require_approval_non_connected = False


class AvailabilitySlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AvailabilitySlot

    coach = factory.SubFactory(CoachFactory)
    start = factory.LazyFunction(lambda: at(future_weekday(0), 9))
    end = factory.LazyAttribute(lambda o: o.start + dt.timedelta(hours=8))
    instant_booking = True


class DiscountCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DiscountCode

    coach = factory.SubFactory(CoachFactory)
    code = "WELCOME10"
    kind = DiscountCode.Kind.PERCENT
    value = Decimal("10")


class TimeBasedRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimeBasedRate

    coach = factory.SubFactory(CoachFactory)
    name = "Evening"
    weekdays = [0, 1, 2, 3, 4]
    start_time = dt.time(18)
    end_time = dt.time(0)
    percent = Decimal("20")


class SpecialPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpecialPeriod

    coach = factory.SubFactory(CoachFactory)
    name = "Holiday rate"
    start_date = factory.LazyFunction(lambda: future_weekday(0))
    end_date = factory.LazyAttribute(lambda o: o.start_date + dt.timedelta(days=6))
    hourly_rate = Decimal("200.00")


class BookingFactory(factory.django.DjangoModelFactory):
    """A confirmed, free-of-payment booking row (for calendar and selector tests)."""

    class Meta:
        model = Booking

    coach = factory.SubFactory(CoachFactory)
    client = factory.SubFactory(UserFactory)
    session_type = factory.SubFactory(SessionTypeFactory, coach=factory.SelfAttribute("..coach"))
    title = "1:1 Coaching"
    start = factory.LazyFunction(lambda: at(future_weekday(0), 10))
    end = factory.LazyAttribute(lambda o: o.start + dt.timedelta(hours=1))
    timezone = "Europe/Zurich"
    status = Booking.Status.CONFIRMED
    booking_type = Booking.Type.FIRM
    currency = "CHF"
    amount_total = Decimal("150.00")


def coach_with_offer(**session_type_kwargs):
    """A coach (CHF 150/h, VAT included) with one session type."""
    coach = CoachFactory()
    session_type = SessionTypeFactory(coach=coach, **session_type_kwargs)
    return coach, session_type
