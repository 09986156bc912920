from django.apps import AppConfig


class LaunchConfig(AppConfig):
    name = "launch"
    verbose_name = "Launch: legal pages and leads"
    default_auto_field = "django.db.models.BigAutoField"
