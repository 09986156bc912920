from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings


class TrustConfig(AppConfig):
    """Trust score (issue 18 item 4). A top-level app: it may import every app, and no app
    imports it (tests/test_import_rules.py)."""

    name = "trust"
    verbose_name = "Trust and safety"

    def ready(self) -> None:
        from accounts.suspension import user_lifted
        from trust import facts  # noqa: F401  (registers the built-in facts)
        from trust.services import on_user_lifted

        user_lifted.connect(on_user_lifted, dispatch_uid="trust.on_user_lifted")
        settings.CELERY_BEAT_SCHEDULE.update(
            {
                "trust-recompute-scores": {
                    "task": "trust.tasks.recompute_trust_scores",
                    "schedule": timedelta(hours=1),
                },
            }
        )
