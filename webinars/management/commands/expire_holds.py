from django.core.management.base import BaseCommand

from webinars.services import holds_expire


class Command(BaseCommand):
    help = (
        "Release webinar seat holds whose payment window has passed (also runs from Celery beat)."
    )

    def handle(self, *args, **options):
        count = holds_expire()
        self.stdout.write(f"expire_holds: {count} hold(s) released")
