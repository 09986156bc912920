from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.factories import CoachFactory, UserFactory

pytestmark = pytest.mark.django_db


def profile_data(user, **overrides):
    return {
        "user-first_name": user.first_name,
        "user-last_name": user.last_name,
        "user-timezone": user.timezone,
        **overrides,
    }


def member_since(client) -> str:
    html = client.get(reverse("accounts:profile")).content.decode()
    start = html.index('id="member-since">') + len('id="member-since">')
    return html[start : html.index("</time>", start)]


def test_timezone_change_changes_how_times_render(client):
    user = UserFactory(
        timezone="Europe/Zurich", date_joined=datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    )
    client.force_login(user)
    assert member_since(client) == "15 Jan 2026, 13:00 CET"

    response = client.post(
        reverse("accounts:profile"), profile_data(user, **{"user-timezone": "America/New_York"})
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.timezone == "America/New_York"
    assert member_since(client) == "15 Jan 2026, 07:00 EST"
    assert "Times shown in America/New_York" in client.get(reverse("core:home")).content.decode()


def test_unknown_timezone_is_a_field_error_and_nothing_changes(client):
    user = UserFactory(timezone="Europe/Zurich")
    client.force_login(user)

    response = client.post(
        reverse("accounts:profile"), profile_data(user, **{"user-timezone": "Mars/Olympus_Mons"})
    )

    assert response.status_code == 400
    assert "timezone" in response.context["form"].errors
    user.refresh_from_db()
    assert user.timezone == "Europe/Zurich"


def test_coach_edits_rate_and_headline_on_profile(client):
    coach = CoachFactory(hourly_rate=Decimal("150.00"))
    client.force_login(coach.user)

    response = client.post(
        reverse("accounts:profile"),
        {
            **profile_data(coach.user),
            "coach-headline": "Negotiation coach",
            "coach-bio": "Ten years of deals.",
            "coach-hourly_rate": "175.50",
            "coach-currency": "CHF",
            "coach-calendar_visibility": "public",
            "coach-is_listed": "on",
        },
    )

    assert response.status_code == 302, response.context and response.context["coach_form"].errors
    coach.refresh_from_db()
    assert coach.headline == "Negotiation coach"
    assert coach.hourly_rate == Decimal("175.50")


def test_coach_negative_rate_is_refused(client):
    coach = CoachFactory(hourly_rate=Decimal("150.00"))
    client.force_login(coach.user)

    response = client.post(
        reverse("accounts:profile"),
        {
            **profile_data(coach.user),
            "coach-headline": "x",
            "coach-hourly_rate": "-1",
            "coach-currency": "CHF",
            "coach-calendar_visibility": "public",
        },
    )

    assert response.status_code == 400
    assert response.context["coach_form"].errors["hourly_rate"]
    coach.refresh_from_db()
    assert coach.hourly_rate == Decimal("150.00")
