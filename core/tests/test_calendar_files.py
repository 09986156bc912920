"""Add to calendar (issue 15 #7): My Bookings offers each upcoming booking and seat as the
same .ics the confirmation email carries and as a Google Calendar link; the .ics is served to
the people in it only (client and coach; confirmed attendees and the coach), anyone else 404."""

from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse
from icalendar import Calendar

from accounts.tests.factories import UserFactory
from bookings.tests.factories import BookingFactory
from webinars.models import Registration
from webinars.tests.factories import HeldRegistrationFactory, RegistrationFactory, WebinarFactory

pytestmark = pytest.mark.django_db


def _event(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    [event] = [c for c in calendar.walk() if c.name == "VEVENT"]
    return calendar, event


def test_booking_ics_for_the_client_and_the_coach(client):
    booking = BookingFactory(title="Career talk")
    url = reverse("core:booking_calendar", args=[booking.pk])
    for person in (booking.client, booking.coach.user):
        client.force_login(person)
        calendar, event = _event(client.get(url))
        assert str(event["summary"]) == "Career talk"
        assert event.decoded("dtstart") == booking.start
        assert event.decoded("dtend") == booking.end
        assert str(event["uid"]).startswith("booking-")
        assert str(calendar["method"]) == "REQUEST"


def test_booking_ics_is_404_for_anyone_else_and_needs_login(client):
    booking = BookingFactory()
    url = reverse("core:booking_calendar", args=[booking.pk])
    assert client.get(url).status_code == 302
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    assert client.get(reverse("core:booking_calendar", args=[999999])).status_code == 404


def test_a_cancelled_booking_gives_a_cancellation(client):
    booking = BookingFactory(status="cancelled_by_coach")
    client.force_login(booking.client)
    calendar, event = _event(client.get(reverse("core:booking_calendar", args=[booking.pk])))
    assert str(calendar["method"]) == "CANCEL"


def test_webinar_ics_for_confirmed_attendees_and_the_coach_only(client):
    webinar = WebinarFactory(title="Remote teams")
    attendee = RegistrationFactory(webinar=webinar).user
    paying = HeldRegistrationFactory(webinar=webinar).user
    cancelled = RegistrationFactory(webinar=webinar, status=Registration.Status.CANCELLED).user
    url = reverse("core:webinar_calendar", args=[webinar.pk])
    for person in (attendee, webinar.coach.user):
        client.force_login(person)
        _calendar, event = _event(client.get(url))
        assert str(event["summary"]) == "Remote teams"
        assert event.decoded("dtstart") == webinar.slots.get().start.replace(microsecond=0)
    for person in (paying, cancelled, UserFactory()):
        client.force_login(person)
        assert client.get(url).status_code == 404


def test_my_bookings_offers_ics_and_google_links(client):
    user = UserFactory()
    booking = BookingFactory(client=user, title="Career talk")
    webinar = WebinarFactory(title="Remote teams")
    RegistrationFactory(webinar=webinar, user=user)
    client.force_login(user)
    html = client.get(reverse("core:my_bookings")).content.decode()
    assert reverse("core:booking_calendar", args=[booking.pk]) in html
    assert reverse("core:webinar_calendar", args=[webinar.pk]) in html
    google = [
        part.split('"')[0].replace("&amp;", "&")
        for part in html.split('href="')
        if part.startswith("https://calendar.google.com/")
    ]
    assert len(google) == 2
    query = parse_qs(urlparse(google[0]).query) | parse_qs(urlparse(google[1]).query)
    texts = {parse_qs(urlparse(u).query)["text"][0] for u in google}
    assert texts == {"Career talk", "Remote teams"}
    start = booking.start.astimezone(__import__("datetime").UTC).strftime("%Y%m%dT%H%M%SZ")
    assert any(start in u for u in google)
    assert query["action"] == ["TEMPLATE"]
