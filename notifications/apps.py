from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self):
        # settings.CELERY_BEAT_SCHEDULE is the dict Celery reads; apps add their entries.
        settings.CELERY_BEAT_SCHEDULE.update(
            {
                "notifications-send-due-reminders": {
                    "task": "notifications.tasks.send_due_reminders",
                    "schedule": timedelta(minutes=5),
                },
                "notifications-sweep-deferred": {
                    "task": "notifications.tasks.sweep_deferred_notifications",
                    "schedule": timedelta(minutes=1),
                },
                "notifications-sweep-email-outbox": {
                    "task": "notifications.tasks.sweep_email_outbox",
                    "schedule": timedelta(minutes=5),
                },
            }
        )
        from anymail.signals import tracking

        from notifications.delivery import tracking_event_record

        tracking.connect(tracking_event_record, dispatch_uid="notifications.tracking")
