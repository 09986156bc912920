"""Roles and the coaches' admin group.

Coaches are `is_staff` members of the "Coaches" group. The group grants model permissions on
their business objects only; *which rows* they see is decided by `OwnedByCoachAdminMixin`.
Apps add their models to COACH_ADMIN_PERMISSIONS; the group is re-synced after every migrate.
"""

import logging

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

logger = logging.getLogger(__name__)

COACH_GROUP_NAME = "Coaches"

# "app_label.codename" of every permission a coach holds in the admin.
COACH_ADMIN_PERMISSIONS: set[str] = {
    "accounts.view_coach",
    "accounts.change_coach",
}


def register_coach_permissions(*perms: str) -> None:
    COACH_ADMIN_PERMISSIONS.update(perms)


def sync_coach_group(**kwargs) -> Group:
    """The Coaches group with exactly COACH_ADMIN_PERMISSIONS (those that exist yet). Runs after
    every migrate (post_migrate, AccountsConfig.ready), not per signup."""
    group, _ = Group.objects.get_or_create(name=COACH_GROUP_NAME)
    wanted = Q(pk__in=[])
    for dotted in COACH_ADMIN_PERMISSIONS:
        app_label, codename = dotted.split(".", 1)
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    group.permissions.set(Permission.objects.filter(wanted))
    return group


def coach_group() -> Group:
    """The Coaches group as the last migrate synced it (synced now if it is missing)."""
    return Group.objects.filter(name=COACH_GROUP_NAME).first() or sync_coach_group()


def make_coach(user) -> None:
    """Give a user the coach role: staff flag for the admin and the scoped Coaches group."""
    from accounts.models import Coach, User

    user.role = User.Role.COACH
    user.is_staff = True
    user.save(update_fields=["role", "is_staff"])
    Coach.objects.get_or_create(user=user)
    user.groups.add(coach_group())
