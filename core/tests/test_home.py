from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.factories import CoachFactory

pytestmark = pytest.mark.django_db


def test_home_lists_listed_active_coaches_with_rate_and_calendar_link(client):
    coach = CoachFactory(
        user__first_name="Maya",
        user__last_name="Keller",
        headline="Leadership coach",
        hourly_rate=Decimal("150.00"),
        currency="CHF",
    )
    CoachFactory(user__first_name="Hidden", user__last_name="Coach", is_listed=False)
    CoachFactory(user__first_name="Gone", user__last_name="Coach", user__is_active=False)

    response = client.get(reverse("core:home"))

    html = response.content.decode()
    assert response.status_code == 200
    assert list(response.context["coaches"]) == [coach]
    assert "Maya Keller" in html
    assert "Leadership coach" in html
    assert "CHF 150.00" in html
    assert f'href="/coaches/{coach.pk}/calendar/"' in html
    assert "Hidden Coach" not in html
    assert "Gone Coach" not in html


def test_home_without_coaches_shows_empty_state(client):
    response = client.get(reverse("core:home"))

    assert "No coaches are listed yet." in response.content.decode()


def test_home_search_filters_by_name_or_topic(client):
    CoachFactory(user__first_name="Maya", user__last_name="Keller", headline="Leadership")
    jonas = CoachFactory(user__first_name="Jonas", user__last_name="Weber", headline="Speaking")

    response = client.get(reverse("core:home"), {"q": "speak"})

    assert list(response.context["coaches"]) == [jonas]
    assert 'value="speak"' in response.content.decode()


def test_home_search_without_match_says_so(client):
    CoachFactory()

    response = client.get(reverse("core:home"), {"q": "astrophysics"})

    assert "No coach matches “astrophysics”." in response.content.decode()


def test_home_htmx_search_returns_only_the_results_fragment(client):
    CoachFactory(user__first_name="Maya", user__last_name="Keller")

    response = client.get(reverse("core:home"), {"q": "maya"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="coach-results"')
    assert "Maya Keller" in html
    assert "<html" not in html


def test_home_query_count_does_not_grow_with_coaches(client, django_assert_max_num_queries):
    CoachFactory.create_batch(3)
    with django_assert_max_num_queries(3) as few:
        client.get(reverse("core:home"))
    CoachFactory.create_batch(9)

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("core:home"))


def test_home_paginates_and_keeps_the_search(client):
    CoachFactory.create_batch(13, headline="Career coach")

    response = client.get(reverse("core:home"), {"q": "career"})

    assert len(response.context["coaches"]) == 12
    assert 'href="?q=career&amp;page=2"' in response.content.decode()
