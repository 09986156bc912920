"""The readiness gate (seeds 000/001): paid webinars and paid sessions of a coach whose
Connect account is not ready are refused before any hold or PaymentIntent; free ones stay
bookable."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.factories import CoachFactory, UserFactory
from bookings.models import Booking
from bookings.tests.factories import (
    AvailabilitySlotFactory,
    SessionTypeFactory,
    at,
    future_weekday,
)
from payments.models import ConnectAccount, Payment
from webinars.models import Registration
from webinars.tests.factories import WebinarFactory

pytestmark = pytest.mark.django_db
CODE = "COACH_PAYMENTS_NOT_CONFIGURED"


@pytest.fixture
def client_user(client):
    user = UserFactory()
    client.force_login(user)
    return client


@pytest.fixture(params=["not_connected", "details_missing"])
def unready_coach(request):
    if request.param == "not_connected":
        return CoachFactory(stripe_account_id="")
    return CoachFactory(payments_ready=False)


def _register(client, webinar):
    return client.post(
        reverse("webinars:register", args=[webinar.pk]), HTTP_ACCEPT="application/json"
    )


def test_paid_webinar_of_an_unready_coach_is_refused_before_any_hold(client_user, unready_coach):
    webinar = WebinarFactory(coach=unready_coach)

    response = _register(client_user, webinar)

    assert response.status_code == 400
    assert response.json()["code"] == CODE
    assert "cannot take paid bookings yet" in response.json()["message"]
    assert not Registration.objects.exists()
    assert not Payment.objects.exists()


def test_free_webinar_of_an_unready_coach_stays_bookable(client_user, unready_coach):
    webinar = WebinarFactory(coach=unready_coach, price=Decimal("0"))

    response = _register(client_user, webinar)

    assert response.status_code == 200
    assert Registration.objects.get().status == Registration.Status.CONFIRMED


def _book(client, coach, session_type, start):
    return client.post(
        reverse("bookings:create"),
        {
            "coach": coach.pk,
            "session_type": session_type.pk,
            "start": start.isoformat(),
            "duration": 60,
        },
        HTTP_ACCEPT="application/json",
    )


def _offer(coach, **session_type_kwargs):
    session_type = SessionTypeFactory(coach=coach, **session_type_kwargs)
    day = future_weekday(0, weeks_ahead=3)
    AvailabilitySlotFactory(coach=coach, start=at(day, 9), end=at(day, 17), instant_booking=True)
    return session_type, at(day, 10)


def test_paid_session_of_an_unready_coach_is_refused_before_any_hold(client_user, unready_coach):
    session_type, start = _offer(unready_coach)

    response = _book(client_user, unready_coach, session_type, start)

    assert response.status_code == 400
    assert response.json()["code"] == CODE
    assert not Booking.objects.exists()
    assert not Payment.objects.exists()


def test_free_session_of_an_unready_coach_stays_bookable(client_user, unready_coach):
    unready_coach.hourly_rate = Decimal("0")
    unready_coach.save()
    session_type, start = _offer(unready_coach)

    response = _book(client_user, unready_coach, session_type, start)

    assert response.status_code == 201, response.content
    assert Booking.objects.get().status == Booking.Status.CONFIRMED


def test_readiness_follows_stripe_not_the_stored_id(client_user):
    coach = CoachFactory()
    webinar = WebinarFactory(coach=coach)
    ConnectAccount.objects.filter(coach=coach).update(payouts_enabled=False)

    assert _register(client_user, webinar).json()["code"] == CODE


def test_platform_fee_adr_worked_example():
    """docs/adr/0004-platform-fee-basis.md: CHF 150.00 incl. 8.1 % VAT."""
    from payments.pricing import price_breakdown

    included = price_breakdown(
        amount=Decimal("150.00"),
        currency="CHF",
        vat_rate=Decimal("8.1"),
        platform_fee_percent=Decimal("15"),
    )
    on_top = price_breakdown(
        amount=Decimal("150.00"),
        currency="CHF",
        vat_rate=Decimal("8.1"),
        platform_fee_percent=Decimal("15"),
        vat_included=False,
    )

    assert (included.vat_amount, included.net) == (Decimal("11.24"), Decimal("138.76"))
    assert (included.platform_fee, included.coach_share) == (Decimal("20.81"), Decimal("117.95"))
    assert (on_top.total, on_top.platform_fee, on_top.coach_share) == (
        Decimal("162.15"),
        Decimal("22.50"),
        Decimal("127.50"),
    )


def test_pages_say_the_coach_cannot_take_paid_bookings_yet(client_user):
    coach = CoachFactory(payments_ready=False)
    webinar = WebinarFactory(coach=coach)

    webinar_page = client_user.get(reverse("webinars:detail", args=[webinar.pk]))
    calendar_page = client_user.get(reverse("bookings:calendar", args=[coach.pk]))

    for page in (webinar_page, calendar_page):
        assert page.status_code == 200
        assert b"cannot take bookings for paid" in page.content
    assert b"Book webinar" not in webinar_page.content
