"""Roles and the coaches' admin group.

Coaches are `is_staff` members of the "Coaches" group. The group grants model permissions on
their business objects only; *which rows* they see is decided by `OwnedByCoachAdminMixin`.
Apps add their models to COACH_ADMIN_PERMISSIONS; the group is re-synced after every migrate.
"""

import logging

from django.contrib.auth.models import Group, Permission

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
    group, _ = Group.objects.get_or_create(name=COACH_GROUP_NAME)
    wanted = []
    for dotted in sorted(COACH_ADMIN_PERMISSIONS):
        app_label, codename = dotted.split(".", 1)
        perm = Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).first()
        if perm is not None:
            wanted.append(perm)
    group.permissions.set(wanted)
    return group


def make_coach(user) -> None:
    """Give a user the coach role: staff flag for the admin and the scoped Coaches group."""
    from accounts.models import Coach, User

    user.role = User.Role.COACH
    user.is_staff = True
    user.save(update_fields=["role", "is_staff"])
    Coach.objects.get_or_create(user=user)
    user.groups.add(sync_coach_group())
