from django.apps import AppConfig


class ModerationConfig(AppConfig):
    """Reports (flags) of reviews, coach profiles, webinars and users, and the staff
    moderation queue in the admin (issue 18 #3). A top-level app: it may import any app,
    and no app imports it (kinds of target plug in through moderation.targets)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        from moderation.kinds import register_own_kinds

        register_own_kinds()
