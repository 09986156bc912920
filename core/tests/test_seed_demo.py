from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

from accounts.models import Coach, User
from core.demo_accounts import ADMIN, CLIENTS, COACH, DEMO_LOGINS
from core.management.commands.seed_demo import demo_seeders

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_creates_admin_stripe_ready_coach_and_two_clients(localstripe):
    seed()

    admin = User.objects.get(email=ADMIN.email)
    assert admin.is_superuser and admin.is_staff
    coach = Coach.objects.get(user__email=COACH.email)
    assert coach.is_payment_ready  # onboarded on the Connect stand-in, not a made-up id
    assert coach.stripe_account_id.startswith("acct_1")
    assert coach.headline and coach.bio
    assert str(coach.hourly_rate) == "150.00" and coach.currency == "CHF"
    assert coach.user.is_staff and coach.user.role == User.Role.COACH
    for login in CLIENTS:
        assert User.objects.get(email=login.email).role == User.Role.CLIENT


def test_seed_demo_passwords_printed_are_the_ones_that_work():
    output = seed()

    for login in DEMO_LOGINS:
        assert login.email in output and login.password in output
        assert User.objects.get(email=login.email).check_password(login.password)


def test_seed_demo_twice_creates_nothing_new():
    seed()
    counts = (User.objects.count(), Coach.objects.count())

    output = seed()

    assert (User.objects.count(), Coach.objects.count()) == counts
    assert "already present" in output


def test_seed_demo_restores_a_changed_demo_password():
    seed()
    coach_user = User.objects.get(email=COACH.email)
    coach_user.set_password("something-else-entirely")
    coach_user.save()

    seed()

    coach_user.refresh_from_db()
    assert coach_user.check_password(COACH.password)


def test_seed_demo_output_ends_with_url_and_logins(settings):
    output = seed().rstrip().splitlines()

    tail = "\n".join(output[-(len(DEMO_LOGINS) + 2) :])
    assert f"Open {settings.SITE_URL}/" in tail
    assert all(login.email in tail for login in DEMO_LOGINS)
    assert output[-1] == f"Admin (staff and coaches): {settings.SITE_URL}/admin/"


def test_seed_demo_runs_every_apps_demo_module():
    with_demo = sorted(
        config.label for config in apps.get_app_configs() if Path(config.path, "demo.py").exists()
    )

    output = seed()

    assert sorted(label for label, _ in demo_seeders()) == with_demo
    for label in with_demo:
        assert f"Demo content: {label}" in output


@pytest.mark.django_db
def test_seed_demo_prints_the_address_it_is_given(settings):
    """`make run` with RUN_PORT=8101 must not tell people to open port 8000."""
    settings.SITE_URL = "http://127.0.0.1:8000"
    out = StringIO()
    call_command("seed_demo", site_url="http://127.0.0.1:8101", stdout=out)
    assert "Open http://127.0.0.1:8101/ and log in" in out.getvalue()
    assert "127.0.0.1:8000" not in out.getvalue()
