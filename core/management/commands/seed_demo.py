"""`manage.py seed_demo`: demo people and content, safe to run again (idempotent).

Creates a staff admin, a Stripe-ready coach (plus two more listed coaches) and two clients with
known passwords, then calls `seed(*, coach, clients, stdout)` in every local app that has a
`demo.py` (webinars, bookings, ...), in INSTALLED_APPS order, and prints what each created.
"""

from __future__ import annotations

import importlib
import importlib.util

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.demo_accounts import ensure_demo_accounts, format_logins


def demo_seeders() -> list[tuple[str, object]]:
    """(app label, seed function) of every project app with a demo.py defining seed()."""
    seeders = []
    for app_config in apps.get_app_configs():
        if not app_config.path.startswith(str(settings.BASE_DIR)):
            continue  # third-party apps
        module_name = f"{app_config.name}.demo"
        if importlib.util.find_spec(module_name) is None:
            continue
        seed = getattr(importlib.import_module(module_name), "seed", None)
        if callable(seed):
            seeders.append((app_config.label, seed))
    return seeders


class Command(BaseCommand):
    help = "Create (idempotently) demo accounts and every app's demo content; print the logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--site-url",
            default=None,
            help="Address printed with the logins (default: SITE_URL); runlocal passes its own.",
        )

    def handle(self, *args, **options):
        if settings.IS_PRODUCTION:
            # The demo logins (passwords printed in the README) would open a live site.
            raise CommandError(
                "seed_demo refuses to run with DJANGO_ENV=production: it creates accounts "
                "with published passwords and resets the demo superuser's password."
            )
        accounts = ensure_demo_accounts()
        self.stdout.write(self.style.MIGRATE_HEADING("Demo accounts"))
        if accounts.created:
            for line in accounts.created:
                self.stdout.write(f"  created {line}")
        else:
            self.stdout.write("  already present (passwords reset to the demo ones)")
        coach = accounts.coach
        self.stdout.write(
            f"  coach profile: {coach.user.get_full_name()}, {coach.currency} "
            f"{coach.hourly_rate}/hour, Stripe account "
            f"{coach.stripe_account_id or '(connected below)'}"
        )

        for label, seed in demo_seeders():
            self.stdout.write(self.style.MIGRATE_HEADING(f"Demo content: {label}"))
            result = seed(coach=coach, clients=accounts.clients, stdout=self.stdout)
            if isinstance(result, str):
                self.stdout.write(f"  {result}")
            elif result:
                for line in result:
                    self.stdout.write(f"  {line}")

        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(format_logins(options.get("site_url") or settings.SITE_URL))
