import factory

from accounts.tests.factories import CoachFactory, UserFactory
from moderation.models import Flag


def staff_user(**kwargs):
    """Platform staff (role staff): sees the moderation queue; coaches (is_staff) do not."""
    return UserFactory(is_staff=True, role="staff", **kwargs)


class FlagFactory(factory.django.DjangoModelFactory):
    """An open report of a coach profile (pass target_kind/target_id for another target)."""

    class Meta:
        model = Flag

    reporter = factory.SubFactory(UserFactory)
    target_kind = "coach"
    target_id = factory.LazyFunction(lambda: CoachFactory().pk)
    reason = Flag.Reason.SPAM
    note = ""
