"""The one check for blocks between two people (seed 004: a block prevents every interaction,
booking and search visibility included). Every booking, registration, quote, calendar and
search path asks here, in either direction: whoever blocked whom, neither sees or books the
other."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import Block

BLOCKED_MESSAGE = "You cannot book this coach."


def _pk(user) -> int | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.pk


def blocks_between(a: int, b: int) -> QuerySet[Block]:
    """The blocks between two user ids, in either direction (for an `Exists()` inside a
    query that reads other facts too)."""
    return Block.objects.filter(Q(blocker_id=a, blocked_id=b) | Q(blocker_id=b, blocked_id=a))


def is_blocked_between(user_a, user_b) -> bool:
    """True if either of the two (users or user ids) blocked the other."""
    a = user_a if isinstance(user_a, int) else _pk(user_a)
    b = user_b if isinstance(user_b, int) else _pk(user_b)
    if a is None or b is None or a == b:
        return False
    return blocks_between(a, b).exists()


def hide_blocked(queryset: QuerySet, viewer, *, user_field: str) -> QuerySet:
    """`queryset` without the rows whose `user_field` (e.g. "user", "coach__user") is a
    person on the other side of a block with `viewer`."""
    pk = _pk(viewer)
    if pk is None:
        return queryset
    return queryset.exclude(
        Q(**{f"{user_field}__blocks_made__blocked_id": pk})
        | Q(**{f"{user_field}__blocks_received__blocker_id": pk})
    )
