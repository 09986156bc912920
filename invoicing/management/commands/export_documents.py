import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from invoicing.export import documents_csv_write, documents_in_period


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).") from None


class Command(BaseCommand):
    help = "Write the invoices, credit notes and self-billed invoices of a period as CSV."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD (inclusive)")
        parser.add_argument("--output", help="File to write (default: standard output)")

    def handle(self, *args, start, end, output=None, **options):
        start, end = _date(start), _date(end)
        if end < start:
            raise CommandError("--to is before --from.")
        documents = documents_in_period(start=start, end=end)
        if output:
            with open(output, "w", newline="", encoding="utf-8") as out:
                count = documents_csv_write(documents, out)
            self.stderr.write(f"{count} documents written to {output}")
        else:
            documents_csv_write(documents, self.stdout if self.stdout else sys.stdout)
