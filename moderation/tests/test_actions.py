"""moderation_act: each decision's effect on the target and its owner (through the real
accounts.suspension API), the flags it resolves, the log, and who is told what."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import AccountSanction
from accounts.suspension import is_suspended
from accounts.tests.factories import CoachFactory, UserFactory
from moderation.errors import ModerationError
from moderation.models import Flag, ModerationAction
from moderation.services import flag_create, moderation_act
from moderation.tests.factories import FlagFactory, staff_user
from notifications.models import Notification
from webinars.tests.factories import RegistrationFactory, WebinarFactory

pytestmark = pytest.mark.django_db
REVIEWED = "moderation_report_reviewed"


@pytest.fixture
def staff():
    return staff_user()


def reports(kind, target_id, n=2):
    return [FlagFactory(target_kind=kind, target_id=target_id) for _ in range(n)]


def notices(user, type_=None):
    qs = Notification.objects.filter(recipient=user)
    return list(qs.filter(type=type_) if type_ else qs)


def search_titles(client, q):
    response = client.get("/search/", {"q": q}, HTTP_ACCEPT="application/json")
    return [r["title"] for r in response.json()["results"]]


def test_dismiss_resolves_every_open_flag_logs_it_and_tells_only_the_reporters(staff):
    coach = CoachFactory()
    flags = reports("coach", coach.pk)
    record = moderation_act(
        target_kind="coach", target_id=coach.pk, action="dismiss", actor=staff, reason=""
    )
    for flag in flags:
        flag.refresh_from_db()
        assert (flag.status, flag.resolved_by) == (Flag.Status.DISMISSED, staff)
        assert flag.resolved_at is not None
        assert len(notices(flag.reporter, REVIEWED)) == 1
    assert set(record.flags.all()) == set(flags)
    assert (record.action, record.actor, record.subject) == ("dismiss", staff, coach.user)
    assert notices(coach.user) == []
    coach.refresh_from_db()
    assert coach.hidden_by_moderation_at is None


def test_hiding_a_coach_takes_them_out_of_search_directory_and_profile(client, staff):
    coach = CoachFactory(user__first_name="Quentin", user__last_name="Quarrel")
    reports("coach", coach.pk)
    assert search_titles(client, "Quentin")
    assert "Quentin" in client.get("/").content.decode()
    moderation_act(
        target_kind="coach", target_id=coach.pk, action="hide", actor=staff, reason="Scam offers"
    )
    assert search_titles(client, "Quentin") == []
    assert client.get(coach.get_absolute_url()).status_code == 404
    assert client.get(f"/coaches/{coach.pk}/").status_code == 404
    assert "Quentin" not in client.get("/").content.decode()  # the home page's directory

    client.force_login(coach.user)  # the coach still sees their page, and why it is hidden
    page = client.get(coach.get_absolute_url())
    assert page.status_code == 200
    assert "Hidden by our moderation team" in page.content.decode()


def test_a_hidden_coach_cannot_list_themselves_again(client, staff):
    coach = CoachFactory(user__first_name="Quentin")
    moderation_act(target_kind="coach", target_id=coach.pk, action="hide", actor=staff, reason="x")
    coach.refresh_from_db()
    coach.is_listed = False
    coach.save()
    coach.is_listed = True
    coach.save()
    assert search_titles(client, "Quentin") == []
    moderation_act(target_kind="coach", target_id=coach.pk, action="unhide", actor=staff)
    assert search_titles(client, "Quentin")
    assert client.get(coach.get_absolute_url()).status_code == 200


def test_hiding_tells_the_owner_why_and_the_reporters_nothing_about_it(staff, committed):
    coach = CoachFactory()
    flags = reports("coach", coach.pk)
    with committed():
        moderation_act(
            target_kind="coach", target_id=coach.pk, action="hide", actor=staff, reason="Scams"
        )
    (owner_notice,) = notices(coach.user, "moderation_content_hidden")
    assert "Scams" in owner_notice.body
    for flag in flags:
        (notice,) = notices(flag.reporter)
        assert notice.type == REVIEWED
        assert "Scams" not in notice.body and "hid" not in notice.body
        flag.refresh_from_db()
        assert flag.status == Flag.Status.ACTIONED


def test_a_hidden_webinar_leaves_the_list_and_its_page_except_for_attendees(client, staff):
    webinar = WebinarFactory(title="Get rich quick")
    attendee = RegistrationFactory(webinar=webinar).user
    reports("webinar", webinar.pk)
    assert "Get rich quick" in client.get("/webinars/").content.decode()
    moderation_act(
        target_kind="webinar", target_id=webinar.pk, action="hide", actor=staff, reason="Scam"
    )
    assert "Get rich quick" not in client.get("/webinars/").content.decode()
    assert client.get(f"/webinars/{webinar.pk}/").status_code == 404
    assert search_titles(client, "rich") == []
    assert "Get rich quick" not in client.get(webinar.coach.get_absolute_url()).content.decode()
    client.force_login(UserFactory())
    assert client.get(f"/webinars/{webinar.pk}/").status_code == 404
    client.force_login(attendee)
    assert client.get(f"/webinars/{webinar.pk}/").status_code == 200
    client.force_login(webinar.coach.user)
    assert client.get(f"/webinars/{webinar.pk}/").status_code == 200


def test_hiding_a_user_hides_them_from_search_through_the_suspension_api(staff):
    user = UserFactory()
    reports("user", user.pk)
    moderation_act(target_kind="user", target_id=user.pk, action="hide", actor=staff, reason="x")
    user.refresh_from_db()
    assert user.hidden_from_search_at is not None
    sanction = AccountSanction.objects.get(user=user)
    assert (sanction.kind, sanction.source, sanction.actor) == (
        "hide_from_search",
        "moderation",
        staff,
    )


def test_warn_records_a_warning_the_owner_is_emailed(staff, committed, mailoutbox):
    webinar = WebinarFactory()
    reports("webinar", webinar.pk)
    with committed():
        record = moderation_act(
            target_kind="webinar",
            target_id=webinar.pk,
            action="warn",
            actor=staff,
            reason="Misleading title",
        )
    owner = webinar.coach.user
    sanction = AccountSanction.objects.get(user=owner)
    assert (sanction.kind, sanction.source, sanction.reason) == (
        "warn",
        "moderation",
        "Misleading title",
    )
    assert record.subject == owner
    assert [n.type for n in notices(owner)] == ["account_warning"]
    assert any(owner.email in m.to for m in mailoutbox)
    assert not is_suspended(owner)


def test_suspend_for_n_days_suspends_the_owner_until_then(staff, committed):
    user = UserFactory()
    flags = reports("user", user.pk)
    before = timezone.now()
    with committed():
        record = moderation_act(
            target_kind="user", target_id=user.pk, action="suspend", actor=staff, days=7, reason="x"
        )
    assert [n.type for n in notices(user)] == ["account_suspended"]
    assert all(len(notices(f.reporter, REVIEWED)) == 1 for f in flags)
    user.refresh_from_db()
    assert is_suspended(user)
    assert (
        before + dt.timedelta(days=7)
        <= user.suspended_until
        <= timezone.now() + dt.timedelta(days=7)
    )
    assert not is_suspended(user, at=user.suspended_until + dt.timedelta(seconds=1))
    assert (record.action, record.days) == ("suspend", 7)
    assert AccountSanction.objects.get(user=user).kind == "suspend"


def test_ban_bans_the_owner_and_lift_reverses_it(staff):
    coach = CoachFactory()
    reports("coach", coach.pk)
    moderation_act(
        target_kind="coach", target_id=coach.pk, action="ban", actor=staff, reason="Fraud"
    )
    coach.user.refresh_from_db()
    assert coach.user.banned_at is not None and is_suspended(coach.user)
    moderation_act(
        target_kind="coach", target_id=coach.pk, action="lift", actor=staff, reason="Appeal"
    )
    coach.user.refresh_from_db()
    assert not is_suspended(coach.user)
    assert list(
        ModerationAction.objects.filter(target_id=coach.pk).values_list("action", flat=True)
    ) == ["lift", "ban"]


@pytest.mark.parametrize(
    ("action", "days", "reason", "field"),
    [
        ("suspend", None, "x", "days"),
        ("suspend", 0, "x", "days"),
        ("suspend", "soon", "x", "days"),
        ("suspend", 99999, "x", "days"),
        ("warn", None, "", "reason"),
        ("ban", None, "  ", "reason"),
        ("hide", None, "", "reason"),
        ("explode", None, "x", "action"),
    ],
)
def test_invalid_decisions_change_nothing(staff, action, days, reason, field):
    coach = CoachFactory()
    reports("coach", coach.pk, n=1)
    with pytest.raises(ModerationError) as caught:
        moderation_act(
            target_kind="coach",
            target_id=coach.pk,
            action=action,
            actor=staff,
            days=days,
            reason=reason,
        )
    assert list(caught.value.errors) == [field]
    assert ModerationAction.objects.count() == 0
    assert Flag.objects.get().status == Flag.Status.OPEN
    assert AccountSanction.objects.count() == 0


def test_staff_cannot_moderate_themselves_and_a_gone_target_can_only_be_dismissed(staff):
    with pytest.raises(ModerationError):
        moderation_act(
            target_kind="user", target_id=staff.pk, action="warn", actor=staff, reason="x"
        )
    FlagFactory(target_kind="webinar", target_id=424242)
    with pytest.raises(ModerationError):
        moderation_act(
            target_kind="webinar", target_id=424242, action="hide", actor=staff, reason="x"
        )
    record = moderation_act(target_kind="webinar", target_id=424242, action="dismiss", actor=staff)
    assert record.flags.count() == 1


def test_a_report_after_the_decision_opens_a_new_flag_for_the_next_decision(staff):
    coach = CoachFactory()
    reporter = UserFactory()
    flag_create(reporter=reporter, target_kind="coach", target_id=coach.pk, reason="spam")
    moderation_act(target_kind="coach", target_id=coach.pk, action="dismiss", actor=staff)
    flag, created = flag_create(
        reporter=reporter, target_kind="coach", target_id=coach.pk, reason="spam"
    )
    assert created and flag.is_open
    assert Flag.objects.filter(status=Flag.Status.OPEN).count() == 1


def test_a_reported_review_hidden_by_staff_leaves_the_profile_and_the_average(client, staff):
    from reviews.selectors import rating_summary
    from reviews.tests.factories import ReviewFactory

    coach = CoachFactory()
    kept = ReviewFactory(coach=coach, rating=5, text="Kept review")
    reported = ReviewFactory(coach=coach, rating=1, text="Spammy review text")
    reporter = UserFactory()
    flag, created = flag_create(
        reporter=reporter, target_kind="review", target_id=reported.pk, reason="spam"
    )
    assert created
    moderation_act(
        target_kind="review", target_id=reported.pk, action="hide", actor=staff, reason="Spam"
    )
    reported.refresh_from_db()
    flag.refresh_from_db()
    assert reported.hidden_at is not None and reported.hidden_reason == "Spam"
    assert flag.status == Flag.Status.ACTIONED
    page = client.get(coach.get_absolute_url()).content.decode()
    assert "Kept review" in page and "Spammy review text" not in page
    assert rating_summary(coach).count == 1
    assert kept.pk != reported.pk
