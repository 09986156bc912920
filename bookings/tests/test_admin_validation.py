"""Admin input that used to break pricing or crash (issue 8, item 9): every admin path reaches
the validation the site's forms and the services already have, and answers with a form error."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Coach
from accounts.tests.factories import CoachFactory
from bookings.models import AvailabilitySeries, AvailabilitySlot, DiscountCode
from bookings.tests.factories import DiscountCodeFactory, at, future_weekday
from core.tests.admin_post import admin_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def coach_client(client):
    coach = CoachFactory()
    client.force_login(coach.user)
    client.coach = coach
    return client


def test_coach_admin_refuses_a_negative_hourly_rate(coach_client):
    coach = coach_client.coach
    url = reverse("admin:accounts_coach_change", args=[coach.pk])

    response = coach_client.post(url, admin_form_data(coach_client.get(url), hourly_rate="-50"))

    assert response.status_code == 200
    assert "The hourly rate cannot be negative." in response.content.decode()
    assert Coach.objects.get(pk=coach.pk).hourly_rate >= 0


def test_coach_admin_keeps_every_other_field_of_the_profile(coach_client):
    coach = coach_client.coach
    url = reverse("admin:accounts_coach_change", args=[coach.pk])
    page = coach_client.get(url)

    assert "vat_rate" in page.context["adminform"].form.fields  # not only the profile form's
    response = coach_client.post(url, admin_form_data(page, hourly_rate="120.00"))

    assert response.status_code == 302
    assert str(Coach.objects.get(pk=coach.pk).hourly_rate) == "120.00"


@pytest.mark.parametrize("typed", ["WELCOME10", "welcome10", " Welcome10 "])
def test_discount_code_the_coach_already_has_in_any_case_is_a_form_error(coach_client, typed):
    DiscountCodeFactory(coach=coach_client.coach, code="WELCOME10")
    url = reverse("admin:bookings_discountcode_add")
    data = admin_form_data(coach_client.get(url), code=typed, kind="percent", value="10")

    response = coach_client.post(url, data)

    assert response.status_code == 200
    assert "You already have a code WELCOME10." in response.content.decode()
    assert DiscountCode.objects.filter(coach=coach_client.coach).count() == 1


def test_staff_adding_a_duplicate_code_for_a_coach_get_a_form_error(admin_client):
    existing = DiscountCodeFactory(code="SPRING")
    url = reverse("admin:bookings_discountcode_add")
    data = admin_form_data(
        admin_client.get(url), coach=str(existing.coach_id), code="spring", value="5"
    )

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "already has a code SPRING" in response.content.decode()


def test_another_coach_may_use_the_same_code(coach_client):
    DiscountCodeFactory(code="WELCOME10")  # someone else's
    url = reverse("admin:bookings_discountcode_add")
    data = admin_form_data(coach_client.get(url), code="welcome10", kind="percent", value="10")

    assert coach_client.post(url, data).status_code == 302
    assert DiscountCode.objects.get(coach=coach_client.coach).code == "WELCOME10"


def test_availability_slot_in_the_past_is_a_form_error(coach_client):
    url = reverse("admin:bookings_availabilityslot_add")
    yesterday = timezone.localtime() - dt.timedelta(days=1)
    data = admin_form_data(
        coach_client.get(url),
        start_0=yesterday.date().isoformat(),
        start_1="09:00",
        end_0=yesterday.date().isoformat(),
        end_1="10:00",
    )

    response = coach_client.post(url, data)

    assert response.status_code == 200
    assert "This time is already over." in response.content.decode()
    assert not AvailabilitySlot.objects.exists()


def test_availability_slot_ending_before_it_starts_is_a_form_error(coach_client):
    url = reverse("admin:bookings_availabilityslot_add")
    day = future_weekday(0).isoformat()
    data = admin_form_data(
        coach_client.get(url), start_0=day, start_1="10:00", end_0=day, end_1="09:00"
    )

    response = coach_client.post(url, data)

    assert response.status_code == 200
    assert "The end must be after the start." in response.content.decode()


def test_availability_slot_moved_into_the_past_is_a_form_error(coach_client):
    slot = AvailabilitySlot.objects.create(
        coach=coach_client.coach, start=at(future_weekday(0), 9), end=at(future_weekday(0), 10)
    )
    url = reverse("admin:bookings_availabilityslot_change", args=[slot.pk])
    past = (timezone.localtime() - dt.timedelta(days=3)).date().isoformat()
    data = admin_form_data(coach_client.get(url), start_0=past, end_0=past)

    response = coach_client.post(url, data)

    assert response.status_code == 200
    assert "This time is already over." in response.content.decode()


def test_availability_series_over_sixty_weeks_is_a_form_error(coach_client):
    url = reverse("admin:bookings_availabilityseries_add")
    first = future_weekday(0)
    data = admin_form_data(
        coach_client.get(url),
        weekdays="[0]",
        start_time="09:00",
        end_time="12:00",
        first_date=first.isoformat(),
        last_date=(first + dt.timedelta(weeks=61)).isoformat(),
    )

    response = coach_client.post(url, data)

    assert response.status_code == 200
    assert "Repeat for at most 60 weeks at a time." in response.content.decode()
    assert not AvailabilitySeries.objects.exists()


def test_availability_series_within_sixty_weeks_is_generated(coach_client):
    url = reverse("admin:bookings_availabilityseries_add")
    first = future_weekday(0)
    data = admin_form_data(
        coach_client.get(url),
        weekdays="[0]",
        start_time="09:00",
        end_time="12:00",
        first_date=first.isoformat(),
        last_date=(first + dt.timedelta(weeks=3)).isoformat(),
    )

    response = coach_client.post(url, data)

    assert response.status_code == 302
    assert AvailabilitySlot.objects.filter(coach=coach_client.coach).count() == 4
