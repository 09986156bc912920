from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from accounts.roles import sync_coach_group

        post_migrate.connect(sync_coach_group, dispatch_uid="accounts.sync_coach_group")
