"""Whole public pages cached for anonymous visitors (webinars/fragments.py `anonymous_page`):
served from the cache while nothing changed, fresh on the next request once any writer changed
a webinar shown, each visitor with their own CSRF token, never for a logged-in viewer or a
visitor with a pending message; one query for the list and for the detail page."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import _does_token_match
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from webinars.models import Webinar
from webinars.services import Edit, webinar_update
from webinars.tests.factories import RegistrationFactory, WebinarFactory

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'"x-csrftoken": "([A-Za-z0-9]+)"')


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def _urls(webinar) -> list[str]:
    return [reverse("webinars:list"), reverse("webinars:detail", args=[webinar.pk])]


def test_the_second_anonymous_visit_is_served_from_the_cache_with_one_query():
    webinar = WebinarFactory(title="Listening well")
    for url in _urls(webinar):
        first = Client().get(url)
        with CaptureQueriesContext(connection) as ctx:
            again = Client().get(url)
        assert len(ctx.captured_queries) == 1  # the webinar row(s) the key is built from
        strip = lambda response: TOKEN.sub("", response.content.decode())  # noqa: E731
        assert "Listening well" in strip(again) and strip(again) == strip(first)


def test_each_visitor_gets_a_token_for_their_own_csrf_cookie_from_the_cached_page():
    webinar = WebinarFactory()
    for url in _urls(webinar):
        Client().get(url)  # fills the cache
        for _ in range(2):
            visitor = Client()
            response = visitor.get(url)
            token = TOKEN.search(response.content.decode()).group(1)
            secret = response.cookies["csrftoken"].value
            assert _does_token_match(token, secret)
            assert "@@csrf-token@@" not in response.content.decode()


def test_an_attendee_reads_the_shared_schedule_fragment_and_no_slot_query(client):
    webinar = WebinarFactory()
    attendee = RegistrationFactory(webinar=webinar).user
    url = reverse("webinars:detail", args=[webinar.pk])
    client.force_login(attendee)
    client.get(url)  # fills the description and schedule fragment
    with CaptureQueriesContext(connection) as ctx:
        assert "You're booked!" in client.get(url).content.decode()
    # user, webinar, registration, waitlist place, materials, unread count, and the session
    # unless it is read from Redis (cached_db, the engine whenever REDIS_URL is set)
    from_the_database = 0 if settings.SESSION_ENGINE.endswith("cached_db") else 1
    assert len(ctx.captured_queries) == 6 + from_the_database
    assert not any("webinars_webinarslot" in q["sql"] for q in ctx.captured_queries)


def test_a_coach_edit_and_a_queryset_update_show_on_the_next_anonymous_pages():
    webinar = WebinarFactory(title="Old title")
    for url in _urls(webinar):
        assert "Old title" in Client().get(url).content.decode()
    webinar_update(
        webinar_id=webinar.pk, by=webinar.coach.user, edit=Edit(fields={"title": "New title"})
    )
    for url in _urls(webinar):
        page = Client().get(url).content.decode()
        assert "New title" in page and "Old title" not in page
    # A writer that does not touch updated_at (an UPDATE of one column) shows too.
    Webinar.objects.filter(pk=webinar.pk).update(title="Third title")
    for url in _urls(webinar):
        page = Client().get(url).content.decode()
        assert "Third title" in page and "New title" not in page


def test_a_seat_taken_shows_on_the_next_anonymous_pages():
    webinar = WebinarFactory(max_attendees=3)
    for url in _urls(webinar):
        assert "3 spots left" in Client().get(url).content.decode()
    RegistrationFactory(webinar=webinar)
    for url in _urls(webinar):
        assert "2 spots left" in Client().get(url).content.decode()


def test_logged_in_viewers_never_read_or_fill_the_page_cache():
    webinar = WebinarFactory()
    ada = UserFactory(first_name="Adalind", last_name="Quist")
    RegistrationFactory(webinar=webinar, user=ada)
    for url in _urls(webinar):
        assert "Adalind" not in Client().get(url).content.decode()  # anonymous pages cached
    member = Client()
    member.force_login(ada)
    with mock.patch("webinars.fragments.cache", wraps=cache) as fragment_cache:
        for url in _urls(webinar):
            assert "Adalind" in member.get(url).content.decode()  # their own navigation
        assert "You're booked!" in member.get(_urls(webinar)[1]).content.decode()
    # Only the description and schedule (the same for everyone) are read for them.
    assert pages_and_cards(fragment_cache) == []
    with mock.patch("webinars.fragments.cache", wraps=cache) as fragment_cache:
        Client().get(_urls(webinar)[1])
    assert pages_and_cards(fragment_cache)  # control: an anonymous visit does use them


def pages_and_cards(spy) -> list[str]:
    keys = []
    for call in spy.mock_calls:
        first = call.args[0] if call.args else ""
        for key in first if isinstance(first, list | dict) else [first]:
            if str(key).startswith(("webinar-page:", "webinar-card:")):
                keys.append(key)
    return keys


def test_a_visitor_with_a_pending_message_gets_it_and_nobody_else_does():
    webinar = WebinarFactory()
    url = reverse("webinars:detail", args=[webinar.pk])
    Client().get(url)  # cached without messages
    visitor = Client()
    request = RequestFactory().get(url)
    storage = CookieStorage(request)  # the first storage the default one reads
    storage.add(messages.INFO, "Your seat was released. Nothing was charged.")
    carrier = HttpResponse()
    storage.update(carrier)  # the message cookie, as a redirect after a POST would set it
    visitor.cookies.update(carrier.cookies)
    assert "Your seat was released" in visitor.get(url).content.decode()
    assert "Your seat was released" not in Client().get(url).content.decode()


def test_the_htmx_modal_and_the_full_page_are_cached_apart_with_vary_and_etag():
    webinar = WebinarFactory()
    url = reverse("webinars:detail", args=[webinar.pk])
    full, modal = Client().get(url), Client().get(url, headers={"hx-request": "true"})
    for _ in range(2):
        visitor = Client()
        again_full = visitor.get(url)
        again_modal = visitor.get(url, headers={"hx-request": "true"})
        assert "<dialog" in again_modal.content.decode()
        assert "<dialog" not in again_full.content.decode()
        assert "<html" in again_full.content.decode()
        for response in (again_full, again_modal):
            vary = {v.strip().lower() for v in response["Vary"].split(",")}
            assert {"cookie", "hx-request"} <= vary and response.has_header("ETag")
        assert again_modal["ETag"] != again_full["ETag"]
        repeat = visitor.get(url, headers={"if-none-match": again_full["ETag"]})
        assert repeat.status_code == 304
    assert full.status_code == modal.status_code == 200
