"""seed_demo never runs in production (issue 8 #18): it would reset the demo superuser's
password to the one printed in the README."""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from core.demo_accounts import ADMIN

pytestmark = pytest.mark.django_db


def test_seed_demo_refuses_under_production(settings):
    admin = User.objects.create_superuser(email=ADMIN.email, password="a-real-secret-2026!")
    settings.IS_PRODUCTION = True
    with pytest.raises(CommandError, match="DJANGO_ENV=production"):
        call_command("seed_demo")
    admin.refresh_from_db()
    assert admin.check_password("a-real-secret-2026!")
    assert User.objects.count() == 1
