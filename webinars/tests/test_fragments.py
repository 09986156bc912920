"""Public fragments cached for anonymous visitors (webinars/fragments.py): a change shows on
the next anonymous request, and nothing personal is ever cached or served across users."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from accounts.tests.factories import UserFactory
from webinars.services import Edit, webinar_register, webinar_update
from webinars.tests.factories import RegistrationFactory, WebinarFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_an_edit_through_the_editing_service_shows_on_the_next_anonymous_list(client):
    webinar = WebinarFactory(title="Old title")
    assert "Old title" in client.get("/webinars/").content.decode()  # now cached
    assert "Old title" in client.get("/webinars/").content.decode()  # served from the cache
    webinar_update(
        webinar_id=webinar.pk, by=webinar.coach.user, edit=Edit(fields={"title": "New title"})
    )
    page = client.get("/webinars/").content.decode()
    assert "New title" in page and "Old title" not in page


def test_a_seat_taken_shows_on_the_next_anonymous_list_and_detail(client):
    webinar = WebinarFactory(max_attendees=3, price=0)
    assert "3 spots left" in client.get("/webinars/").content.decode()
    client.get(webinar.get_absolute_url())
    webinar_register(webinar_id=webinar.pk, user=UserFactory())
    assert "2 spots left" in client.get("/webinars/").content.decode()
    assert "2 spots left" in client.get(webinar.get_absolute_url()).content.decode()


def test_a_description_edit_shows_on_the_next_anonymous_detail(client):
    webinar = WebinarFactory(description="First words.")
    assert "First words." in client.get(webinar.get_absolute_url()).content.decode()
    webinar_update(
        webinar_id=webinar.pk,
        by=webinar.coach.user,
        edit=Edit(fields={"description": "Second words."}),
    )
    page = client.get(webinar.get_absolute_url()).content.decode()
    assert "Second words." in page and "First words." not in page


def test_personal_pages_are_never_cached_across_two_users(client):
    webinar = WebinarFactory()
    attendee, other = UserFactory(), UserFactory()
    RegistrationFactory(webinar=webinar, user=attendee)
    client.get("/webinars/")  # an anonymous visit fills the cache
    client.get(webinar.get_absolute_url())

    client.force_login(attendee)
    mine = client.get(webinar.get_absolute_url())
    assert "You're booked!" in mine.content.decode() and "private" in mine["Cache-Control"]
    assert "Cookie" in mine["Vary"] and not mine.has_header("ETag")
    assert webinar.title in client.get("/bookings/mine/").content.decode()

    client.force_login(other)
    theirs = client.get(webinar.get_absolute_url()).content.decode()
    assert "You're booked!" not in theirs and "Book" in theirs
    assert webinar.title not in client.get("/bookings/mine/").content.decode()
