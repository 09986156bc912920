"""A block between a coach and a client stops every booking, registration, quote, calendar and
search path, whoever blocked whom (seed 004; issue 8 #11), and the paths issue 18 added
(search page and popover, profiles, reviews, guest booking; reports stay allowed). One test per
path, each for both directions."""

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


# --- the paths issue 18 added: search, profiles, reviews, reports, guest booking -------------


def test_search_page_and_quick_popover_hide_the_coach(client, blocked_pair):
    coach, _, client_user, _ = blocked_pair
    search, quick = reverse("discovery:search"), reverse("discovery:quick")
    titles = [r["title"] for r in client.get(search, {"q": "Zora"}, **JSON).json()["results"]]
    assert any("Quill" in t for t in titles)  # visible to everyone else
    client.force_login(client_user)
    body = client.get(search, {"q": "Zora Quill"}, **JSON).json()
    assert all("Quill" not in r["title"] for r in body["results"]) and body["total"] == 0
    assert "Quill" not in client.get(quick, {"q": "Zora"}).content.decode()


def test_coach_profile_by_slug_and_by_id_is_404(client, blocked_pair):
    coach, _, client_user, _ = blocked_pair
    assert client.get(coach.get_absolute_url()).status_code == 200
    client.force_login(client_user)
    assert client.get(coach.get_absolute_url()).status_code == 404
    assert client.get(reverse("discovery:coach_profile_by_id", args=[coach.pk])).status_code == 404


def test_reviewing_the_coach_is_refused_403_and_nothing_is_stored(client, blocked_pair):
    from reviews.models import Review
    from reviews.tests.factories import past_booking

    coach, _, client_user, _ = blocked_pair
    booking = past_booking(client=client_user, coach=coach)
    client.force_login(client_user)
    response = client.post(
        reverse("reviews:create", args=[coach.pk]),
        {"rating": 5, "booking": booking.pk},
        content_type="application/json",
        **JSON,
    )
    assert response.status_code == 403 and response.json()["code"] == "blocked"
    assert not Review.objects.exists()


def test_reviews_by_the_other_side_are_not_shown_to_the_viewer(client, blocked_pair):
    from reviews.tests.factories import ReviewFactory

    coach, _, client_user, _ = blocked_pair
    review = ReviewFactory(coach=coach, author=client_user, text="Written before")
    # The coach's profile is 404 for the client; the review is hidden from the coach's own
    # view of their profile instead (either side of the block).
    client.force_login(coach.user)
    html = client.get(coach.get_absolute_url()).content.decode()
    assert review.text not in html


def test_guest_booking_with_the_blocked_accounts_address_is_refused(client, blocked_pair):
    coach, session_type, client_user, day = blocked_pair
    session_type.price_factor = Decimal("0")  # free, so guests may book it
    session_type.save()
    response = client.post(
        reverse("bookings:guest_create"),
        {
            "coach": coach.pk,
            "session_type": session_type.pk,
            "start": (dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)).isoformat(),
            "duration": session_type.duration_default,
            "name": "Same Person",
            "email": client_user.email,
        },
        content_type="application/json",
        **JSON,
    )
    assert response.status_code == 400 and response.json()["code"] == "email_refused"
    assert not Booking.objects.filter(guest_email=client_user.email).exists()


def test_reporting_the_other_side_is_still_allowed(client, blocked_pair):
    """Reports are a safety path: a block does not stop them (moderation/README)."""
    from moderation.models import Flag

    coach, _, client_user, _ = blocked_pair
    client.force_login(client_user)
    response = client.post(
        reverse("moderation:flag_create"),
        {"target_kind": "user", "target_id": coach.user.pk, "reason": "abuse"},
        content_type="application/json",
        **JSON,
    )
    assert response.status_code == 201
    assert Flag.objects.filter(reporter=client_user, target_id=coach.user.pk).count() == 1
