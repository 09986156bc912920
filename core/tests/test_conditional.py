"""Conditional GET on the public webinar pages: a repeat anonymous request with If-None-Match
gets 304 while nothing changed, 200 once something did; logged-in viewers never get an ETag
or a 304, so nobody is ever served somebody else's page; Vary is Cookie and HX-Request."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from webinars.tests.factories import RegistrationFactory, WebinarFactory

pytestmark = pytest.mark.django_db


def vary(response) -> set[str]:
    return {v.strip().lower() for v in response.get("Vary", "").split(",")}


@pytest.mark.parametrize("page", ["list", "detail"])
def test_anonymous_repeat_with_if_none_match_gets_304_until_the_page_changes(client, page):
    webinar = WebinarFactory(title="Feedback that lands")
    url = (
        reverse("webinars:list")
        if page == "list"
        else reverse("webinars:detail", args=[webinar.pk])
    )
    first = client.get(url)
    assert first.status_code == 200 and "Feedback that lands" in first.content.decode()
    etag = first["ETag"]
    assert {"cookie", "hx-request"} <= vary(first)
    assert "private" in first["Cache-Control"] and "no-cache" in first["Cache-Control"]

    again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag and {"cookie", "hx-request"} <= vary(again)

    RegistrationFactory(webinar=webinar)  # one seat fewer: the page changed
    changed = client.get(url, headers={"if-none-match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_an_etag_only_matches_for_the_csrf_cookie_its_page_was_rendered_with(client):
    WebinarFactory()
    etag = client.get(reverse("webinars:list"))["ETag"]
    stranger = Client()  # no CSRF cookie: the cached page's token would not be accepted
    response = stranger.get(reverse("webinars:list"), headers={"if-none-match": etag})
    assert response.status_code == 200


def test_htmx_fragment_and_full_page_have_different_etags(client):
    webinar = WebinarFactory()
    url = reverse("webinars:detail", args=[webinar.pk])
    full = client.get(url)
    fragment = client.get(url, headers={"hx-request": "true"})
    assert fragment.status_code == 200 and fragment["ETag"] != full["ETag"]
    assert client.get(url, headers={"if-none-match": full["ETag"]}).status_code == 304


def test_logged_in_viewers_never_get_an_etag_or_a_cached_page(client):
    webinar = WebinarFactory()
    url = reverse("webinars:detail", args=[webinar.pk])
    anonymous_etag = client.get(url)["ETag"]
    ada, bob = UserFactory(first_name="Ada"), UserFactory(first_name="Bob")
    RegistrationFactory(webinar=webinar, user=ada)
    client.force_login(ada)
    ada_page = client.get(url, headers={"if-none-match": anonymous_etag})
    assert ada_page.status_code == 200 and "ETag" not in ada_page
    assert "You&#x27;re booked!" in ada_page.content.decode() or "You're booked!" in (
        ada_page.content.decode()
    )
    assert "cookie" in vary(ada_page) and "private" in ada_page["Cache-Control"]
    bob_client = Client()
    bob_client.force_login(bob)
    for etag in (anonymous_etag, '"anything"', "*"):
        bob_page = bob_client.get(url, headers={"if-none-match": etag})
        assert bob_page.status_code == 200 and "ETag" not in bob_page
        assert "booked!" not in bob_page.content.decode()  # Bob's own panel, not Ada's
    assert (
        bob_client.get(reverse("webinars:list"), headers={"if-none-match": "*"}).status_code == 200
    )
