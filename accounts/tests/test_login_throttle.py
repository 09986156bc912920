"""Login throttling (issue 8 #14, django-axes): after at most 10 consecutive failures for one
account, or from one address, the login is refused for a while, the right password included,
on the site's login and the admin's; an unknown email is treated exactly like a known one."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LIMIT = settings.AXES_FAILURE_LIMIT
SITE = "accounts:login"
ADMIN = "admin:login"


def _login(client, url_name, email, password, ip="198.51.100.7"):
    return client.post(reverse(url_name), {"username": email, "password": password}, REMOTE_ADDR=ip)


def _fail(client, url_name, email, times, ip="198.51.100.7"):
    for i in range(times):
        response = _login(client, url_name, email, f"wrong-{i}", ip=ip)
        assert response.status_code in (200, 400, 429), response.status_code
    return response


def test_the_limit_is_at_most_ten():
    assert 1 <= LIMIT <= 10


@pytest.mark.parametrize("url_name", [SITE, ADMIN])
def test_after_the_limit_even_the_right_password_is_refused(client, url_name):
    user = UserFactory(email="ada@example.com", is_staff=True)
    last = _fail(client, url_name, "ada@example.com", LIMIT)
    assert last.status_code == 429
    response = _login(client, url_name, "ada@example.com", PASSWORD)
    assert response.status_code == 429
    assert "Too many login attempts" in response.content.decode()
    assert "try again in 15 minutes" in response.content.decode()
    assert client.session.get("_auth_user_id") is None
    assert user.last_login is None


def test_the_account_stays_locked_from_another_address_and_case(client):
    UserFactory(email="ada@example.com")
    _fail(client, SITE, "ada@example.com", LIMIT)
    response = _login(client, SITE, "ADA@example.com", PASSWORD, ip="203.0.113.50")
    assert response.status_code == 429


def test_one_address_guessing_many_accounts_is_locked(client):
    UserFactory(email="ada@example.com")
    for i in range(LIMIT):
        _login(client, SITE, f"guess{i}@example.com", "wrong")
    response = _login(client, SITE, "ada@example.com", PASSWORD)
    assert response.status_code == 429
    # Someone else elsewhere can still log in to their account.
    assert _login(client, SITE, "ada@example.com", PASSWORD, ip="203.0.113.51").status_code == 302


def test_no_user_enumeration_unknown_and_known_emails_answer_alike(client):
    UserFactory(email="ada@example.com")
    known = [_login(client, SITE, "ada@example.com", "x", ip="192.0.2.1") for _ in range(LIMIT)]
    unknown = [
        _login(client, SITE, "nobody@example.com", "x", ip="192.0.2.2") for _ in range(LIMIT)
    ]
    assert [r.status_code for r in known] == [r.status_code for r in unknown]
    assert known[-1].status_code == 429

    def strip(response) -> str:
        html = response.content.decode()
        html = re.sub(r'csrf(middleware)?token"?[^>]*', "", html)
        return html.replace("ada@example.com", "").replace("nobody@example.com", "")

    assert strip(known[0]) == strip(unknown[0]) and strip(known[-1]) == strip(unknown[-1])


def test_fewer_failures_then_success_resets_the_count(client):
    UserFactory(email="ada@example.com")
    _fail(client, SITE, "ada@example.com", LIMIT - 1)
    assert _login(client, SITE, "ada@example.com", PASSWORD).status_code == 302
    client.logout()
    _fail(client, SITE, "ada@example.com", LIMIT - 1)
    assert _login(client, SITE, "ada@example.com", PASSWORD).status_code == 302
