from django.db.models import Q, QuerySet

from accounts import blocks
from accounts.models import Coach
from accounts.suspension import shown_in_search_q


def coach_directory(*, search: str = "", viewer=None) -> QuerySet[Coach]:
    """Listed coaches with their user row, in one query; `search` matches name or headline.
    Coaches on either side of a block with `viewer` are left out (seed 004)."""
    coaches = blocks.hide_blocked(
        Coach.objects.filter(shown_in_search_q("user__"), is_listed=True, user__is_active=True),
        viewer,
        user_field="user",
    ).select_related("user")
    for word in search.split()[:5]:
        coaches = coaches.filter(
            Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
            | Q(headline__icontains=word)
            | Q(bio__icontains=word)
        )
    return coaches.order_by("user__first_name", "user__last_name", "pk")
