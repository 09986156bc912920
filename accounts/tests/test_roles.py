"""The Coaches group: synced after migrate, only added to a user when they become a coach."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts.roles import COACH_ADMIN_PERMISSIONS, COACH_GROUP_NAME, make_coach
from accounts.tests.factories import CoachFactory, UserFactory

pytestmark = pytest.mark.django_db


def _perms(group):
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


def test_migrate_leaves_the_coaches_group_with_every_coach_admin_permission():
    group = Group.objects.get(name=COACH_GROUP_NAME)
    assert _perms(group) == COACH_ADMIN_PERMISSIONS
    assert "webinars.change_webinar" in COACH_ADMIN_PERMISSIONS  # apps registered theirs


def test_making_a_coach_adds_the_group_without_re_syncing_its_permissions(
    django_assert_max_num_queries,
):
    user = UserFactory()
    with django_assert_max_num_queries(8):
        make_coach(user)
    user.refresh_from_db()
    assert user.is_staff and user.groups.get().name == COACH_GROUP_NAME
    assert user.has_perm("webinars.change_webinar")


def test_a_missing_group_is_created_with_its_permissions_on_first_use():
    Group.objects.filter(name=COACH_GROUP_NAME).delete()
    coach = CoachFactory()
    assert _perms(coach.user.groups.get(name=COACH_GROUP_NAME)) == COACH_ADMIN_PERMISSIONS


def test_a_permission_removed_by_hand_comes_back_with_the_next_migrate():
    group = Group.objects.get(name=COACH_GROUP_NAME)
    group.permissions.clear()
    call_command("migrate", verbosity=0)
    assert _perms(group) == COACH_ADMIN_PERMISSIONS
