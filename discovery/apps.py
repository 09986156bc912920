from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    """Coach profile pages and global search (issues 15 and 18)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "discovery"
