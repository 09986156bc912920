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
