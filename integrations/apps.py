from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings


class IntegrationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "integrations"
    verbose_name = "Integrations (Calendly)"

    def ready(self):
        # settings.CELERY_BEAT_SCHEDULE is the dict Celery reads; apps add their entries.
        settings.CELERY_BEAT_SCHEDULE.update(
            {
                "integrations-calendly-check-subscriptions": {
                    "task": "integrations.tasks.check_calendly_subscriptions",
                    "schedule": timedelta(days=1),
                },
                "integrations-calendly-retry-stuck-events": {
                    "task": "integrations.tasks.retry_stuck_calendly_events",
                    "schedule": timedelta(minutes=10),
                },
            }
        )
