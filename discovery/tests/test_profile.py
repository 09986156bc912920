"""Coach profile pages (issue 15 item 6): content, stable slugs, unlisted and blocked 404s,
the coach editing their profile fields, and name links elsewhere."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Block, Coach
from accounts.tests.factories import CoachFactory, UserFactory
from bookings.tests.factories import SessionTypeFactory
from webinars.models import Webinar
from webinars.tests.factories import WebinarFactory

pytestmark = pytest.mark.django_db


def _url(coach):
    return reverse("discovery:coach_profile", kwargs={"slug": coach.slug})


def test_profile_shows_headline_bio_languages_sessions_webinars_and_book_button(client):
    coach = CoachFactory(
        user__first_name="Anna",
        user__last_name="Meier",
        headline="Negotiation coach",
        bio="Fifteen years in procurement.",
        languages="de,en",
        hourly_rate="120.00",
    )
    SessionTypeFactory(coach=coach, name="Salary talk", duration_default=30)
    WebinarFactory(coach=coach, title="Negotiate your raise")
    WebinarFactory(coach=coach, title="Secret draft", status=Webinar.Status.DRAFT)
    WebinarFactory(coach=coach, title="Called off", status=Webinar.Status.CANCELLED)

    response = client.get(_url(coach))

    html = response.content.decode()
    assert response.status_code == 200
    assert coach.slug == "anna-meier"
    assert "Negotiation coach" in html and "Fifteen years in procurement." in html
    assert "German, English" in html
    assert "Salary talk" in html and "60.00" in html  # 120/h x 30 min
    assert "Negotiate your raise" in html
    assert "Secret draft" not in html and "Called off" not in html
    assert reverse("bookings:calendar", args=[coach.pk]) in html
    assert ">AM<" in html  # initials avatar
    assert "Europe/Zurich" in html or "Times shown in" in html


def test_slug_is_unique_and_stable_across_renames():
    first = CoachFactory(user__first_name="Li", user__last_name="Wei")
    second = CoachFactory(user__first_name="Li", user__last_name="Wei")
    assert (first.slug, second.slug) == ("li-wei", "li-wei-2")

    first.user.first_name = "Lee"
    first.user.save()
    first.headline = "Renamed"
    first.save()
    first.refresh_from_db()
    assert first.slug == "li-wei"


def test_unlisted_profile_is_404_for_others_but_visible_to_the_coach(client):
    coach = CoachFactory(is_listed=False)
    assert client.get(_url(coach)).status_code == 404
    client.force_login(UserFactory())
    assert client.get(_url(coach)).status_code == 404
    client.force_login(coach.user)
    response = client.get(_url(coach))
    assert response.status_code == 200
    assert b"only you see this page" in response.content


@pytest.mark.parametrize("direction", ["coach_blocked_viewer", "viewer_blocked_coach"])
def test_blocked_users_get_404_both_ways(client, direction):
    coach = CoachFactory()
    viewer = UserFactory()
    if direction == "coach_blocked_viewer":
        Block.objects.create(blocker=coach.user, blocked=viewer)
    else:
        Block.objects.create(blocker=viewer, blocked=coach.user)
    client.force_login(viewer)
    assert client.get(_url(coach)).status_code == 404
    other = UserFactory()
    client.force_login(other)
    assert client.get(_url(coach)).status_code == 200


def test_unknown_slug_is_404(client):
    assert client.get("/coaches/nobody-here/").status_code == 404


def test_coach_edits_profile_fields_on_the_site(client):
    coach = CoachFactory(languages="")
    client.force_login(coach.user)
    response = client.get(reverse("accounts:profile"))
    assert b'name="coach-languages"' in response.content
    data = {
        "user-first_name": coach.user.first_name,
        "user-last_name": coach.user.last_name,
        "user-timezone": "Europe/Zurich",
        "coach-headline": "Career change coach",
        "coach-bio": "From finance to design.",
        "coach-languages": ["fr", "en"],
        "coach-hourly_rate": "90.00",
        "coach-currency": "CHF",
        "coach-calendar_visibility": "public",
        "coach-is_listed": "",
    }
    assert client.post(reverse("accounts:profile"), data).status_code == 302
    coach.refresh_from_db()
    assert coach.headline == "Career change coach"
    assert coach.bio == "From finance to design."
    assert coach.languages == "en,fr"
    assert coach.is_listed is False


def test_admin_edits_languages_and_shows_slug_read_only(admin_client):
    coach = CoachFactory()
    response = admin_client.get(reverse("admin:accounts_coach_change", args=[coach.pk]))
    html = response.content.decode()
    assert 'name="languages"' in html
    assert coach.slug in html
    assert 'name="slug"' not in html


def test_coach_name_links_to_profile_on_webinar_pages(client):
    webinar = WebinarFactory()
    coach_url = _url(webinar.coach)
    assert coach_url in client.get(reverse("webinars:list")).content.decode()
    assert coach_url in client.get(webinar.get_absolute_url()).content.decode()


def test_profile_query_count_is_constant(client, django_assert_max_num_queries):
    coach = CoachFactory()
    for n in (2, 12):
        while coach.webinars.count() < n:
            WebinarFactory(coach=coach, slots__starts_in=timedelta(days=3))
            SessionTypeFactory(coach=coach)
        with django_assert_max_num_queries(12):
            assert client.get(_url(coach)).status_code == 200


def test_profile_lists_only_webinars_not_ended():
    coach = CoachFactory()
    WebinarFactory(coach=coach, title="Yesterday", slots__starts_in=timedelta(days=-2))
    WebinarFactory(coach=coach, title="Next week")
    from discovery.selectors import coach_profile

    profile = coach_profile(slug=coach.slug, viewer=None, now=timezone.now())
    assert [w.title for w in profile.webinars] == ["Next week"]
    assert Coach.objects.filter(slug=coach.slug).count() == 1
