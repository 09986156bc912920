import pytest

from accounts.tests.factories import CoachFactory, UserFactory
from bookings import demo
from bookings.models import (
    AvailabilitySlot,
    DiscountCode,
    SessionType,
    SpecialPeriod,
    TimeBasedRate,
)

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent_and_matches_the_contract():
    coach = CoachFactory()
    clients = [UserFactory(), UserFactory()]
    demo.seed(coach=coach, clients=clients)
    counts = [
        m.objects.filter(coach=coach).count()
        for m in (SessionType, AvailabilitySlot, TimeBasedRate, SpecialPeriod, DiscountCode)
    ]
    demo.seed(coach=coach, clients=clients)
    assert [
        m.objects.filter(coach=coach).count()
        for m in (SessionType, AvailabilitySlot, TimeBasedRate, SpecialPeriod, DiscountCode)
    ] == counts
    session_type = SessionType.objects.get(coach=coach)
    assert (
        session_type.name,
        session_type.duration_min,
        session_type.duration_max,
        session_type.duration_step,
    ) == ("1:1 Coaching", 30, 120, 15)
    coach.refresh_from_db()
    assert coach.hourly_rate == 150 and coach.currency == "CHF" and coach.vat_included
    local_starts = {
        s.start.astimezone(coach.user.tzinfo).strftime("%H:%M")
        for s in AvailabilitySlot.objects.filter(coach=coach)
    }
    assert "09:00" in local_starts
    assert all(
        s.start.astimezone(coach.user.tzinfo).weekday() < 5
        for s in AvailabilitySlot.objects.filter(coach=coach)
    )
    assert DiscountCode.objects.get(coach=coach).code == "WELCOME10"
