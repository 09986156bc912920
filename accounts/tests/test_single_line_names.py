"""Names are one line (issue 8, item 16): they reach email subjects ("Session with ...")."""

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-passphrase-42"


def test_signup_refuses_a_name_with_a_line_break(client):
    response = client.post(
        reverse("accounts:signup"),
        {
            "email": "crlf@example.com",
            "first_name": "Eve\r\nBcc: all@example.com",
            "last_name": "Smith",
            "timezone": "UTC",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == 400
    assert "single line" in response.content.decode()
    assert not User.objects.filter(email="crlf@example.com").exists()


def test_profile_refuses_a_name_with_a_line_break(client):
    user = UserFactory(first_name="Eve")
    client.force_login(user)

    response = client.post(
        reverse("accounts:profile"),
        {"user-first_name": "Eve\nX", "user-last_name": "Smith", "user-timezone": "UTC"},
    )

    assert response.status_code == 400
    user.refresh_from_db()
    assert user.first_name == "Eve"
