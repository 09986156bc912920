"""Pay coaches everything that is due (the beat task calls the same service)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Coach
from payments.payouts.run import payouts_process

if TYPE_CHECKING:
    from django.core.management.base import CommandParser


class Command(BaseCommand):
    help = "Transfer every due coach share to the coach's Stripe account (docs/payouts.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List what is due; pay nothing.")
        parser.add_argument("--coach", type=int, help="Only this Coach id.")

    def handle(
        self, *args: Any, dry_run: bool = False, coach: int | None = None, **options: Any
    ) -> None:
        if coach is not None and not Coach.objects.filter(pk=coach).exists():
            raise CommandError(f"No coach with id {coach}.")
        report = payouts_process(coach_id=coach, dry_run=dry_run)
        if dry_run:
            self.stdout.write(f"due payments: {len(report.due)} {sorted(report.due)}")
        else:
            self.stdout.write(str(report))
