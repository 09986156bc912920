"""The staff moderation queue at /admin/moderation/queue/: platform staff only, flags grouped
by target with the oldest open flag first, paginated, a fixed number of queries, and the
decision buttons going through moderation_act."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import CoachFactory, UserFactory
from moderation.models import Flag, ModerationAction
from moderation.tests.factories import FlagFactory, staff_user
from webinars.tests.factories import WebinarFactory

pytestmark = pytest.mark.django_db
QUEUE = "/admin/moderation/queue/"
ACT = "/admin/moderation/queue/act/"


def aged(flag, minutes_ago):
    Flag.objects.filter(pk=flag.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=minutes_ago)
    )
    return flag


@pytest.fixture
def staff_client(client):
    client.force_login(staff_user())
    return client


def test_anonymous_and_clients_are_sent_to_the_admin_login(client):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    client.force_login(UserFactory())
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_coach_in_the_admin_gets_403_on_the_queue_its_actions_and_the_records(client):
    coach = CoachFactory()
    FlagFactory(target_id=coach.pk)
    client.force_login(CoachFactory().user)
    assert client.get(QUEUE).status_code == 403
    response = client.post(
        ACT, {"target_kind": "coach", "target_id": coach.pk, "action": "dismiss"}
    )
    assert response.status_code == 403
    assert client.get("/admin/moderation/flag/").status_code == 403
    assert client.get("/admin/moderation/moderationaction/").status_code == 403
    assert Flag.objects.get().status == Flag.Status.OPEN


def test_staff_see_targets_grouped_oldest_open_flag_first(staff_client):
    newer = CoachFactory(user__first_name="Newer", user__last_name="Coach")
    older = WebinarFactory(title="Older webinar")
    aged(FlagFactory(target_id=newer.pk, reason="spam"), 10)
    aged(FlagFactory(target_id=newer.pk, reason="spam", note="Sends ads"), 5)
    aged(FlagFactory(target_id=newer.pk, reason="abuse"), 1)
    aged(FlagFactory(target_kind="webinar", target_id=older.pk, reason="fraud"), 60)
    closed = CoachFactory(user__first_name="Closed")
    FlagFactory(target_id=closed.pk, status=Flag.Status.DISMISSED)

    response = staff_client.get(QUEUE)
    assert response.status_code == 200
    items = response.context["items"]
    assert [(i.target_kind, i.target_id, i.flag_count) for i in items] == [
        ("webinar", older.pk, 1),
        ("coach", newer.pk, 3),
    ]
    html = response.content.decode()
    assert html.index("Webinar: Older webinar") < html.index("Coach profile: Newer Coach")
    assert "Spam or advertising 2, Harassment or abuse 1" in html
    assert "Sends ads" in html
    assert "Closed" not in html
    assert f'href="{older.get_absolute_url()}"' in html


def test_the_queue_is_paginated_by_twenty_targets(staff_client):
    for minutes in range(25):
        aged(FlagFactory(), 100 - minutes)
    first = staff_client.get(QUEUE)
    second = staff_client.get(QUEUE, {"page": 2})
    assert len(first.context["items"]) == 20
    assert len(second.context["items"]) == 5
    assert "Page 2 of 2" in second.content.decode()
    assert staff_client.get(QUEUE, {"page": "x\u00e9"}).status_code == 200


def _queue_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(QUEUE).status_code == 200
    return len(queries)


def _targets(n):
    for _ in range(n // 2):
        FlagFactory(note="coach note")
        FlagFactory(target_kind="webinar", target_id=WebinarFactory().pk, note="webinar note")


def test_the_queue_takes_the_same_number_of_queries_for_2_or_20_targets(staff_client):
    _targets(2)
    few = _queue_queries(staff_client)
    _targets(18)
    assert len(staff_client.get(QUEUE).context["items"]) == 20
    assert _queue_queries(staff_client) == few


def test_a_decision_posted_from_the_queue_goes_through_the_service(staff_client):
    coach = CoachFactory()
    flags = [FlagFactory(target_id=coach.pk) for _ in range(2)]
    response = staff_client.post(
        ACT,
        {
            "target_kind": "coach",
            "target_id": coach.pk,
            "action": "hide",
            "reason": "Fake credentials",
            "days": "7",
            "page": "1",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == QUEUE + "?page=1"
    coach.refresh_from_db()
    assert coach.hidden_by_moderation_at is not None
    record = ModerationAction.objects.get()
    assert (record.action, record.days, record.reason) == ("hide", None, "Fake credentials")
    assert all(
        f.status == Flag.Status.ACTIONED for f in Flag.objects.filter(pk__in=[f.pk for f in flags])
    )
    page = staff_client.get(QUEUE)
    assert "2 report(s) resolved" in page.content.decode()
    assert list(page.context["items"]) == []


def test_a_refused_decision_is_shown_and_changes_nothing(staff_client):
    coach = CoachFactory()
    FlagFactory(target_id=coach.pk)
    response = staff_client.post(
        ACT, {"target_kind": "coach", "target_id": coach.pk, "action": "suspend", "days": ""}
    )
    assert response.status_code == 302
    page = staff_client.get(QUEUE)
    assert "Give the number of days" in page.content.decode()
    assert ModerationAction.objects.count() == 0
    for bad in ({"target_id": "99999999999999999999"}, {"target_id": "x"}, {}):
        response = staff_client.post(ACT, {"target_kind": "coach", "action": "dismiss", **bad})
        assert response.status_code == 302
    assert staff_client.get(ACT).status_code == 405


def test_the_records_are_read_only_for_staff(staff_client):
    flag = FlagFactory()
    assert staff_client.get("/admin/moderation/flag/").status_code == 200
    assert staff_client.get(f"/admin/moderation/flag/{flag.pk}/change/").status_code == 200
    assert staff_client.get("/admin/moderation/flag/add/").status_code == 403
    assert staff_client.get("/admin/moderation/moderationaction/").status_code == 200
    index = staff_client.get("/admin/").content.decode()
    assert 'href="/admin/moderation/queue/"' in index
