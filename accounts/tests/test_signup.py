import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from accounts.models import Coach, User
from accounts.roles import COACH_GROUP_NAME
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "a-long-and-unusual-passphrase-42"


def signup_data(**overrides):
    return {
        "email": "new.person@example.com",
        "first_name": "New",
        "last_name": "Person",
        "timezone": "Europe/Berlin",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
        **overrides,
    }


def test_signup_creates_client_logs_in_and_sends_welcome_email(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:signup"), signup_data(), follow=True)

    user = User.objects.get(email="new.person@example.com")
    assert user.role == User.Role.CLIENT
    assert user.timezone == "Europe/Berlin"
    assert user.check_password(GOOD_PASSWORD)
    assert not user.is_staff
    assert response.context["user"] == user
    assert "Welcome, New Person!" in response.content.decode()
    # the welcome email and the link confirming the address (issue 15)
    assert sorted(m.to[0] for m in mail.outbox) == ["new.person@example.com"] * 2
    subjects = sorted(m.subject for m in mail.outbox)
    assert "Confirm your email address" in subjects[0]
    assert "Welcome to Coaching Platform" in subjects[1]


def test_signup_welcome_email_waits_for_commit(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("accounts:signup"), signup_data())

    assert mail.outbox == []
    assert len(callbacks) == 2  # the welcome email task and the verification email


def test_signup_email_is_stored_lower_case(client):
    client.post(reverse("accounts:signup"), signup_data(email="Mixed.Case@Example.COM"))

    assert User.objects.filter(email="mixed.case@example.com").exists()


def test_signup_as_coach_gives_profile_staff_flag_and_coach_group(client):
    client.post(reverse("accounts:signup"), signup_data(is_coach="on"))

    user = User.objects.get(email="new.person@example.com")
    assert user.role == User.Role.COACH
    assert user.is_staff
    assert Coach.objects.filter(user=user).exists()
    assert user.groups.filter(name=COACH_GROUP_NAME).exists()
    assert user.has_perm("accounts.change_coach")
    assert not user.has_perm("accounts.delete_coach")
    assert Group.objects.get(name=COACH_GROUP_NAME).permissions.exists()


@pytest.mark.parametrize("email", ["taken@example.com", "TAKEN@Example.com"])
def test_signup_with_taken_email_in_any_case_shows_field_error_and_creates_nothing(client, email):
    UserFactory(email="taken@example.com")

    response = client.post(reverse("accounts:signup"), signup_data(email=email))

    assert response.status_code == 400
    assert (
        "An account with this email address already exists."
        in response.context["form"].errors["email"]
    )
    assert "already exists" in response.content.decode()
    assert User.objects.count() == 1
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1", "too short"),
        ("password123", "too common"),
        ("84920375619", "entirely numeric"),
        ("new.person", "too similar"),
    ],
)
def test_signup_with_weak_password_shows_field_error_and_creates_nothing(client, password, message):
    response = client.post(
        reverse("accounts:signup"), signup_data(password1=password, password2=password)
    )

    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors["password2"])
    assert message in errors
    assert not User.objects.exists()


@pytest.mark.parametrize("email", ["not-an-email", "a@", "@example.com", "a b@example.com"])
def test_signup_with_malformed_email_shows_field_error_and_creates_nothing(client, email):
    response = client.post(reverse("accounts:signup"), signup_data(email=email))

    assert response.status_code == 400
    assert response.context["form"].errors["email"] == ["Enter a valid email address."]
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert "Enter a valid email address." in html
    assert not User.objects.exists()


def test_signup_with_mismatched_passwords_shows_field_error(client):
    response = client.post(reverse("accounts:signup"), signup_data(password2="something-else-99"))

    assert response.status_code == 400
    assert "password2" in response.context["form"].errors
    assert not User.objects.exists()


def test_signup_page_for_logged_in_user_redirects_home(client):
    client.force_login(UserFactory())

    response = client.get(reverse("accounts:signup"))

    assert response.status_code == 302
    assert response.url == reverse("core:home")
