import pytest
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_login_with_email_and_password_lands_on_the_launchpad_logged_in(client):
    user = UserFactory(email="ada@example.com")

    response = client.post(
        reverse("accounts:login"), {"username": "ada@example.com", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response.url == reverse("core:launchpad")
    assert client.get(reverse("core:home")).context["user"] == user


def test_login_email_is_case_insensitive(client):
    user = UserFactory(email="ada@example.com")

    client.post(reverse("accounts:login"), {"username": "ADA@Example.com", "password": PASSWORD})

    assert client.get(reverse("core:home")).context["user"] == user


def test_login_with_wrong_password_shows_error_and_stays_anonymous(client):
    UserFactory(email="ada@example.com")

    response = client.post(
        reverse("accounts:login"), {"username": "ada@example.com", "password": "wrong"}
    )

    assert response.status_code == 400
    assert "Please enter a correct email address and password" in response.content.decode()
    assert not client.get(reverse("core:home")).context["user"].is_authenticated


def test_login_follows_next_parameter(client):
    UserFactory(email="ada@example.com")

    response = client.post(
        f"{reverse('accounts:login')}?next=/accounts/profile/",
        {"username": "ada@example.com", "password": PASSWORD, "next": "/accounts/profile/"},
    )

    assert response.url == "/accounts/profile/"


def test_logout_by_post_ends_the_session(client):
    client.force_login(UserFactory())

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert not client.get(reverse("core:home")).context["user"].is_authenticated


def test_logout_by_get_is_refused_and_keeps_the_session(client):
    user = UserFactory()
    client.force_login(user)

    response = client.get(reverse("accounts:logout"))

    assert response.status_code == 405
    assert client.get(reverse("core:home")).context["user"] == user


def test_profile_requires_login(client):
    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.realservices  # the shared cache is Redis
def test_signed_in_pages_read_the_session_from_redis_and_a_logout_ends_it_there_too(client):
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    UserFactory(email="ada@example.com")
    client.post(reverse("accounts:login"), {"username": "ada@example.com", "password": PASSWORD})
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value

    with CaptureQueriesContext(connection) as page:
        assert client.get(reverse("core:home")).context["user"].is_authenticated
    assert not [q for q in page.captured_queries if "django_session" in q["sql"]]

    stolen = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post(reverse("accounts:logout"))
    assert cache.get(f"django.contrib.sessions.cached_db{session_key}") is None
    client.cookies[settings.SESSION_COOKIE_NAME] = stolen  # the old cookie, replayed
    assert not client.get(reverse("core:home")).context["user"].is_authenticated
