from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Platform"

    def ready(self):
        from celery.signals import before_task_publish

        from core.command_center import stamp_published_at

        # Every task message carries the time it was queued: the Command Center's queue age.
        before_task_publish.connect(stamp_published_at, weak=False, dispatch_uid="published_at")
