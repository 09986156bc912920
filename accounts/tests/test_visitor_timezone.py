"""Time zone for logged-out visitors (issue 15 #8): the `tz` cookie (set once by
static/js/timezone.js, or by "change" on /accounts/timezone/) decides the zone times are
rendered in; an unknown zone falls back to the default; logged-in people keep their profile's."""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _footer_zone(response) -> str:
    html = response.content.decode()
    start = html.index('id="current-tz">Times shown in ') + len('id="current-tz">Times shown in ')
    return html[start : html.index("<", start)]


def test_default_zone_without_a_cookie(client, settings):
    assert _footer_zone(client.get("/")) == settings.DEFAULT_USER_TIMEZONE


def test_the_cookie_sets_the_zone_for_visitors(client):
    client.cookies["tz"] = "America/New_York"
    assert _footer_zone(client.get("/")) == "America/New_York"


@pytest.mark.parametrize("bad", ["Mars/Base", "../../etc", "x" * 300, ""])
def test_an_unknown_zone_falls_back_to_the_default(client, settings, bad):
    client.cookies["tz"] = bad
    response = client.get("/")
    assert response.status_code == 200
    assert _footer_zone(response) == settings.DEFAULT_USER_TIMEZONE


def test_a_logged_in_person_keeps_their_profile_zone(client):
    client.force_login(UserFactory(timezone="Asia/Tokyo"))
    client.cookies["tz"] = "America/New_York"
    assert _footer_zone(client.get("/")) == "Asia/Tokyo"


def test_change_picks_a_zone_and_keeps_it_in_a_cookie(client):
    page = client.get(reverse("accounts:timezone"), {"next": "/webinars/"})
    assert page.status_code == 200 and 'value="/webinars/"' in page.content.decode()
    response = client.post(
        reverse("accounts:timezone"), {"timezone": "Asia/Tokyo", "next": "/webinars/"}
    )
    assert response.status_code == 302 and response["Location"] == "/webinars/"
    assert response.cookies["tz"].value == "Asia/Tokyo"
    assert response.cookies["tz"]["samesite"] == "Lax"
    assert _footer_zone(client.get("/")) == "Asia/Tokyo"


def test_change_refuses_unknown_zones_and_foreign_next(client):
    assert client.post(reverse("accounts:timezone"), {"timezone": "Mars/Base"}).status_code == 400
    response = client.post(
        reverse("accounts:timezone"), {"timezone": "UTC", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("core:home")


def test_the_footer_offers_change_and_the_detection_script_to_visitors_only(client):
    html = client.get("/").content.decode()
    assert reverse("accounts:timezone") in html and "js/timezone.js" in html
    client.force_login(UserFactory())
    html = client.get("/").content.decode()
    assert "js/timezone.js" not in html
