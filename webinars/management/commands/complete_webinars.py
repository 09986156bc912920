from django.core.management.base import BaseCommand

from webinars.services import webinars_complete


class Command(BaseCommand):
    help = "Mark webinars whose last slot has ended as completed (also runs from Celery beat)."

    def handle(self, *args, **options):
        count = webinars_complete()
        self.stdout.write(f"complete_webinars: {count} webinar(s) completed")
