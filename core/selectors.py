from django.db.models import QuerySet

from accounts.models import Coach


def coach_directory() -> QuerySet[Coach]:
    """Listed coaches with their user row, in one query."""
    return Coach.objects.filter(is_listed=True, user__is_active=True).select_related("user")
