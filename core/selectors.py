from django.db.models import Q, QuerySet

from accounts.models import Coach


def coach_directory(*, search: str = "") -> QuerySet[Coach]:
    """Listed coaches with their user row, in one query; `search` matches name or headline."""
    coaches = Coach.objects.filter(is_listed=True, user__is_active=True).select_related("user")
    for word in search.split()[:5]:
        coaches = coaches.filter(
            Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
            | Q(headline__icontains=word)
            | Q(bio__icontains=word)
        )
    return coaches.order_by("user__first_name", "user__last_name", "pk")
