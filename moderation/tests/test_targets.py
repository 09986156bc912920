"""The target registry: the three kinds this app registers, and a new kind registered from
outside (as the reviews app does) works with no change to the moderation code."""

import pytest
from django.db import models

from accounts.models import Coach, User
from accounts.tests.factories import CoachFactory, UserFactory
from moderation.selectors import flags_upheld_counts, moderation_queue
from moderation.services import flag_create, moderation_act
from moderation.targets import register_target, registered_kinds, target_for, unregister_target
from moderation.tests.factories import staff_user
from webinars.models import Webinar
from webinars.tests.factories import WebinarFactory

pytestmark = pytest.mark.django_db


def test_coach_webinar_and_user_are_registered_with_owner_label_and_url():
    assert {"coach", "webinar", "user"} <= set(registered_kinds())
    coach = CoachFactory(user__first_name="Ada", user__last_name="Lane")
    webinar = WebinarFactory(coach=coach, title="Negotiation")
    cases = [
        ("coach", coach, Coach, "Coach profile: Ada Lane", coach.get_absolute_url()),
        ("webinar", webinar, Webinar, "Webinar: Negotiation", f"/webinars/{webinar.pk}/"),
        ("user", coach.user, User, f"User: Ada Lane <{coach.user.email}>", None),
    ]
    for kind, obj, model, label, url in cases:
        target = target_for(kind)
        assert target.model is model
        assert target.owner(obj) == coach.user
        assert target.label(obj) == label
        if url:
            assert target.url(obj) == url
    assert target_for("user").url(coach.user) == f"/admin/accounts/user/{coach.user.pk}/change/"
    assert target_for("planet") is None


@pytest.fixture
def note_kind():
    """A stand-in for the reviews app's registration: any model, hide/unhide of its own."""
    hidden = set()
    register_target(
        "note",
        model=Webinar,  # any model with an owner will do
        owner=lambda w: w.coach.user,
        label=lambda w: f"Note on {w.title}",
        url=lambda w: None,
        hide=lambda w, *, actor, reason: hidden.add(w.pk),
        unhide=lambda w, *, actor: hidden.discard(w.pk),
    )
    yield hidden
    unregister_target("note")


def test_a_kind_registered_from_outside_is_flagged_queued_and_hidden(note_kind):
    webinar = WebinarFactory(title="Text")
    flag, created = flag_create(
        reporter=UserFactory(), target_kind="note", target_id=webinar.pk, reason="abuse"
    )
    assert created
    (item,) = moderation_queue().object_list
    assert (item.target_kind, item.label) == ("note", "Note on Text")
    moderation_act(
        target_kind="note", target_id=webinar.pk, action="hide", actor=staff_user(), reason="x"
    )
    assert note_kind == {webinar.pk}
    flag.refresh_from_db()
    assert flag.status == "actioned"


def test_flags_upheld_counts_one_per_upholding_decision_not_per_report():
    coach, other, clean = CoachFactory(), CoachFactory(), UserFactory()
    staff = staff_user()
    for _ in range(3):
        flag_create(reporter=UserFactory(), target_kind="coach", target_id=coach.pk, reason="spam")
    moderation_act(target_kind="coach", target_id=coach.pk, action="hide", actor=staff, reason="x")
    moderation_act(target_kind="coach", target_id=coach.pk, action="warn", actor=staff, reason="x")
    flag_create(reporter=UserFactory(), target_kind="coach", target_id=other.pk, reason="spam")
    moderation_act(target_kind="coach", target_id=other.pk, action="dismiss", actor=staff)
    assert flags_upheld_counts([coach.user.pk, other.user.pk, clean.pk]) == {coach.user.pk: 2}


def test_the_model_field_is_big_enough_for_any_target_id():
    from moderation.models import Flag

    assert isinstance(Flag._meta.get_field("target_id"), models.PositiveBigIntegerField)


def test_the_trust_score_reads_upheld_flags_as_its_flags_upheld_fact():
    from trust.facts import registered_facts

    fact = next(f for f in registered_facts() if f.name == "flags_upheld")
    coach = CoachFactory()
    flag_create(reporter=UserFactory(), target_kind="coach", target_id=coach.pk, reason="spam")
    moderation_act(
        target_kind="coach", target_id=coach.pk, action="hide", actor=staff_user(), reason="x"
    )
    assert (fact.weight, fact.incident) == (15, True)
    assert fact.compute([coach.user.pk]) == {coach.user.pk: 1}
