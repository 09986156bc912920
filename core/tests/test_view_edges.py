"""The shared view edges: `coach_required` answers each app's way, and a view that answers a
fragment to htmx says so with `Vary: HX-Request`."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.tests.factories import CoachFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_user(client):
    user = UserFactory()
    client.force_login(user)
    return user


def test_a_coach_reaches_a_coach_page(client):
    client.force_login(CoachFactory().user)
    response = client.get(reverse("core:coach_dashboard"))
    assert response.status_code == 200


def test_a_client_on_the_coach_dashboard_gets_403(client, client_user):
    response = client.get(reverse("core:coach_dashboard"))
    assert response.status_code == 403


def test_a_client_on_the_payouts_page_gets_404(client, client_user):
    response = client.get(reverse("payouts:overview"))
    assert response.status_code == 404


def test_a_client_on_the_requests_inbox_gets_the_bookings_json_error(client, client_user):
    response = client.get(reverse("bookings:coach_requests"), HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    assert response.json() == {"message": "This page is for coaches.", "code": "forbidden"}


def test_a_signed_out_visitor_is_sent_to_log_in_before_the_coach_check(client):
    response = client.get(reverse("core:coach_dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("htmx", [True, False])
def test_a_view_answering_fragments_to_htmx_varies_on_hx_request(client, client_user, htmx):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.get(reverse("notifications:list"), **headers)
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]


def test_the_fragment_and_the_page_differ_so_the_vary_is_needed(client, client_user):
    """Control: the same URL really gives two bodies (without it the test above proves
    nothing)."""
    page = client.get(reverse("notifications:list")).content
    fragment = client.get(reverse("notifications:list"), HTTP_HX_REQUEST="true").content
    assert b"<html" in page
    assert b"<html" not in fragment


def test_a_view_that_never_asks_about_htmx_does_not_vary_on_it(client):
    response = client.get(reverse("core:healthz"))
    assert "HX-Request" not in response.get("Vary", "")


# Every view that reads a JSON body: a body that is not JSON is answered 400, the same way
# everywhere (it used to read as {} in most views and as a 400 in one).
JSON_ENDPOINTS = [
    ("bookings:create", []),
    ("bookings:guest_create", []),
    ("bookings:accept", [1]),
    ("bookings:suggest", [1]),
    ("bookings:cancel", [1]),
    ("payments:confirm", []),
    ("payments:methods_save", []),
    ("payments:refund_request_create", []),
    ("payments:refund_request_message", [1]),
    ("reviews:create", ["coach"]),  # these two look up their object first (404 before 400)
    ("reviews:reply", ["review"]),
    ("moderation:flag_create", []),
]


@pytest.mark.parametrize(("name", "args"), JSON_ENDPOINTS)
def test_a_json_body_that_is_not_json_is_a_400_everywhere(client, client_user, name, args):
    from reviews.tests.factories import ReviewFactory

    made = {"coach": lambda: CoachFactory().pk, "review": lambda: ReviewFactory().pk}
    args = [made[arg]() if arg in made else arg for arg in args]
    response = client.post(
        reverse(name, args=args),
        data=b'{"message": "unterminated',
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "message": "The request body is not valid JSON.",
        "code": "invalid_json",
    }
