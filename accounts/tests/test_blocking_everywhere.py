"""A block between a coach and a client stops every booking, registration, quote, calendar and
search path, whoever blocked whom (seed 004; issue 8 #11). One test per path."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts import blocks
from accounts.models import Block
from accounts.tests.factories import UserFactory
from bookings.errors import NotAllowed
from bookings.models import Booking
from bookings.services.transitions import booking_reschedule
from bookings.tests.factories import (
    AvailabilitySlotFactory,
    BookingFactory,
    at,
    coach_with_offer,
    future_weekday,
)
from webinars.models import Registration
from webinars.tests.factories import WebinarFactory

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture(params=["coach_blocked_client", "client_blocked_coach"])
def blocked_pair(request):
    coach, session_type = coach_with_offer()
    coach.user.first_name, coach.user.last_name = "Zora", "Quill"
    coach.user.save()
    client_user = UserFactory()
    if request.param == "coach_blocked_client":
        Block.objects.create(blocker=coach.user, blocked=client_user)
    else:
        Block.objects.create(blocker=client_user, blocked=coach.user)
    day = future_weekday(0)
    AvailabilitySlotFactory(coach=coach, start=at(day, 9), end=at(day, 20), instant_booking=True)
    return coach, session_type, client_user, day


def test_the_one_check_works_both_ways_and_ignores_anonymous(blocked_pair):
    coach, _, client_user, _ = blocked_pair
    assert blocks.is_blocked_between(client_user, coach.user)
    assert blocks.is_blocked_between(coach.user.pk, client_user.pk)
    assert not blocks.is_blocked_between(UserFactory(), coach.user)


def test_directory_search_hides_the_coach(client, blocked_pair):
    coach, _, client_user, _ = blocked_pair
    assert "Quill" in client.get(reverse("core:home"), {"q": "Zora"}).content.decode()
    client.force_login(client_user)
    for params in ({}, {"q": "Zora"}):
        html = client.get(reverse("core:home"), params).content.decode()
        assert "Quill" not in html and f"/coaches/{coach.pk}/" not in html


def test_webinar_list_hides_the_coachs_webinars(client, blocked_pair):
    coach, _, client_user, _ = blocked_pair
    WebinarFactory(coach=coach, title="Quiet leadership")
    client.force_login(client_user)
    assert "Quiet leadership" not in client.get(reverse("webinars:list")).content.decode()


def test_webinar_registration_is_refused(client, blocked_pair):
    coach, _, client_user, _ = blocked_pair
    webinar = WebinarFactory(coach=coach, price=Decimal("0"))
    client.force_login(client_user)
    response = client.post(reverse("webinars:register", args=[webinar.pk]), **JSON)
    assert response.status_code == 400
    assert response.json()["message"] == blocks.BLOCKED_MESSAGE
    assert not Registration.objects.filter(webinar=webinar, user=client_user).exists()


def test_calendar_page_and_json_are_refused(client, blocked_pair):
    coach, _, client_user, day = blocked_pair
    client.force_login(client_user)
    url = reverse("bookings:calendar", args=[coach.pk])
    page = client.get(url, {"week": day.isoformat()})
    assert page.status_code == 403 and "Available" not in page.content.decode()
    body = client.get(url, {"week": day.isoformat()}, **JSON)
    assert body.status_code == 403 and body.json()["code"] == "blocked"


def test_booking_modal_shows_no_times(client, blocked_pair):
    coach, session_type, client_user, day = blocked_pair
    client.force_login(client_user)
    html = client.get(
        reverse("bookings:book", args=[coach.pk]),
        {"session_type": session_type.pk, "date": day.isoformat()},
    ).content.decode()
    assert at(day, 10).astimezone(dt.UTC).isoformat() not in html
    assert "not available to you" in html


def test_start_times_are_refused(client, blocked_pair):
    coach, session_type, client_user, day = blocked_pair
    client.force_login(client_user)
    response = client.get(
        reverse("bookings:start_times", args=[coach.pk]),
        {"session_type": session_type.pk, "date": day.isoformat(), "duration": 60},
        **JSON,
    )
    assert response.status_code == 403


def test_quote_is_refused(client, blocked_pair):
    coach, session_type, client_user, day = blocked_pair
    client.force_login(client_user)
    response = client.get(
        reverse("bookings:quote"),
        {
            "coach": coach.pk,
            "session_type": session_type.pk,
            "start": at(day, 10).isoformat(),
            "duration": 60,
        },
        **JSON,
    )
    assert response.status_code == 403 and response.json()["code"] == "blocked"


def test_booking_create_is_refused(client, blocked_pair):
    coach, session_type, client_user, day = blocked_pair
    client.force_login(client_user)
    response = client.post(
        reverse("bookings:create"),
        {
            "coach": coach.pk,
            "session_type": session_type.pk,
            "start": at(day, 10).isoformat(),
            "duration": 60,
        },
        content_type="application/json",
        **JSON,
    )
    assert response.status_code == 403 and response.json()["code"] == "blocked"
    assert not Booking.objects.filter(client=client_user).exists()


def test_reschedule_is_refused(blocked_pair):
    coach, session_type, client_user, day = blocked_pair
    booking = BookingFactory(
        coach=coach, client=client_user, session_type=session_type, start=at(day, 10)
    )
    with pytest.raises(NotAllowed):
        booking_reschedule(user=client_user, booking_id=booking.pk, start=at(day, 14))
    booking.refresh_from_db()
    assert booking.start == at(day, 10)
