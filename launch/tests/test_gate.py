"""The launch gate (seed 004 §6.4): with SITE_LAUNCHED=False every URL pattern of the
resolver is walked (a new page is covered the day it is added) and must either answer (public
pages, webhooks, the admin, login/logout/password reset) or redirect to `/`."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import CoachFactory, UserFactory
from tests.test_fuzz_urls import concrete_paths, walk

pytestmark = pytest.mark.django_db

REDIRECTS = {301, 302, 303, 307, 308}

# The routes the public may see before launch (written out here, not read from launch.gate,
# so the test is a second opinion on the middleware's rules).
PUBLIC_ROUTES = {
    "",
    "healthz/",
    "legal/<slug:slug>/",
    "leads/",
    "leads/confirm/<str:token>/",
    "accounts/login/",
    "accounts/logout/",
}


def _kind(route: str, pattern) -> str:
    name = pattern.name or ""
    if route.startswith("admin/"):
        return "admin"
    if name.endswith("webhook") or route.startswith("integrations/"):
        return "webhook"
    if route in PUBLIC_ROUTES or "password_reset" in name or route.startswith("accounts/reset/"):
        return "public"
    return "gated"


@pytest.fixture
def gate_closed(settings):
    settings.SITE_LAUNCHED = False


def _is_gate_redirect(response) -> bool:
    """The gate's redirect to `/` (marked, so login's own redirect home is not mistaken)."""
    return (
        response.status_code in REDIRECTS
        and response["Location"] == "/"
        and response.get("X-Launch-Gate") == "closed"
    )


def test_every_url_pattern_with_the_gate_closed(gate_closed):
    coach = CoachFactory().user
    client_user = UserFactory()
    visitors = {"anonymous": Client(), "client": Client(), "coach": Client()}
    visitors["client"].force_login(client_user)
    visitors["coach"].force_login(coach)
    ids = {"slug": "terms", "token": "unknown"}
    wrong: list[str] = []
    counts = {"webhook": 0, "admin": 0, "public": 0, "gated": 0}

    routes = list(walk())
    assert len(routes) > 150, "the resolver walk found too few patterns"
    for route, pattern in routes:
        kind = _kind(route, pattern)
        counts[kind] += 1
        url = concrete_paths(route, ids)[0]
        if kind == "admin":
            labels, methods = ["anonymous"], ["get"]
        else:
            labels, methods = list(visitors), ["get", "post"]
        for label in labels:
            visitor = visitors[label]
            for method in methods:
                if label != "anonymous" and "_auth_user_id" not in visitor.session:
                    visitor.force_login(client_user if label == "client" else coach)
                response = getattr(visitor, method)(url)
                gated = _is_gate_redirect(response)
                if kind == "gated" and not gated:
                    wrong.append(f"{method} {url} as {label}: {response.status_code}, not gated")
                elif kind == "webhook" and response.status_code in REDIRECTS:
                    wrong.append(f"{method} {url} as {label}: webhook redirected")
                elif kind in {"public", "admin"} and gated:
                    wrong.append(f"{method} {url} as {label}: public page redirected to /")
                assert response.status_code < 500, f"{method} {url} as {label}"

    assert counts["webhook"] >= 1 and counts["public"] >= 5 and counts["gated"] > 30, counts
    assert not wrong, "\n".join(wrong)


def test_a_path_no_pattern_matches_redirects_too(client, gate_closed):
    response = client.get("/no/such/page/")
    assert _is_gate_redirect(response)


def test_landing_page_at_root_with_the_lead_form_and_no_links_into_the_site(client, gate_closed):
    response = client.get("/")
    html = response.content.decode()

    assert response.status_code == 200
    assert 'action="/leads/"' in html
    assert reverse("accounts:signup") not in html  # signup waits for launch
    for slug in ("terms", "privacy", "imprint"):
        assert f'href="/legal/{slug}/"' in html


def test_static_files_and_the_webhook_pass_the_gate(client, gate_closed):
    assert client.get("/static/css/app.css").status_code == 200
    response = client.post(
        reverse("payments:stripe_webhook"), data="{}", content_type="application/json"
    )
    assert response.status_code == 400  # the webhook itself answered (no signature)


def test_platform_staff_browse_the_whole_site(client, gate_closed):
    staff = UserFactory(role=User.Role.STAFF, is_staff=True)
    client.force_login(staff)

    home = client.get("/")
    assert home.status_code == 200
    assert "coaches" in home.context  # the real home page, not the landing page
    assert client.get(reverse("core:my_bookings")).status_code == 200


def test_superuser_passes_and_a_coach_does_not(gate_closed):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    coach = CoachFactory().user
    staff_client, coach_client = Client(), Client()
    staff_client.force_login(superuser)
    coach_client.force_login(coach)
    url = reverse("core:my_bookings")

    assert staff_client.get(url).status_code == 200
    assert _is_gate_redirect(coach_client.get(url))
    assert coach_client.get(reverse("admin:index")).status_code == 200  # admin keeps working


def test_launched_site_is_untouched_and_legal_pages_are_linked(client, settings):
    settings.SITE_LAUNCHED = True
    home = client.get("/")
    assert "coaches" in home.context
    html = home.content.decode()
    assert reverse("accounts:signup") in html
    assert 'href="/legal/privacy/"' in html

    page = client.get("/legal/privacy/")
    assert page.status_code == 200
    assert "Privacy policy" in page.content.decode()
    assert client.get("/legal/unknown/").status_code == 404
