from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    """Reviews and ratings of coaches by the clients who attended (issue 18 item 2)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "reviews"
