"""POST /flags/ (issue 18 contract): 201 new, 200 the same person's open flag again (one
flag), 400 with field errors, 401 anonymous JSON, login redirect for a form; HTML forms with
and without htmx; blocks do not stop a report; the throttle."""

import json

import pytest
from django.urls import reverse

from accounts.models import Block
from accounts.tests.factories import CoachFactory, UserFactory
from moderation.models import Flag
from moderation.views import FLAG_THROTTLE
from webinars.models import Webinar
from webinars.tests.factories import RegistrationFactory, WebinarFactory

pytestmark = pytest.mark.django_db
URL = "/flags/"


def post_json(client, body):
    return client.post(URL, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def reporter(client):
    user = UserFactory()
    client.force_login(user)
    return user


def test_the_url_is_the_contract():
    assert reverse("moderation:flag_create") == URL


def test_a_new_report_answers_201_with_the_flag(client, reporter):
    coach = CoachFactory()
    response = post_json(
        client, {"target_kind": "coach", "target_id": coach.pk, "reason": "fraud", "note": "Fake"}
    )
    assert response.status_code == 201
    body = response.json()
    flag = Flag.objects.get()
    assert body["id"] == flag.pk
    assert (body["target_kind"], body["target_id"], body["reason"], body["status"]) == (
        "coach",
        coach.pk,
        "fraud",
        "open",
    )
    assert (flag.reporter, flag.note) == (reporter, "Fake")


def test_reporting_the_same_target_twice_answers_200_with_the_same_single_flag(client, reporter):
    webinar = WebinarFactory()
    first = post_json(client, {"target_kind": "webinar", "target_id": webinar.pk, "reason": "spam"})
    again = post_json(
        client, {"target_kind": "webinar", "target_id": str(webinar.pk), "reason": "abuse"}
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["reason"] == "spam"  # the existing flag, unchanged
    assert Flag.objects.count() == 1


def test_after_a_decision_the_same_person_may_report_again(client, reporter):
    coach = CoachFactory()
    post_json(client, {"target_kind": "coach", "target_id": coach.pk, "reason": "spam"})
    Flag.objects.update(status=Flag.Status.DISMISSED)
    response = post_json(client, {"target_kind": "coach", "target_id": coach.pk, "reason": "spam"})
    assert response.status_code == 201
    assert Flag.objects.count() == 2


def test_a_user_and_a_form_post_are_accepted(client, reporter):
    other = UserFactory()
    response = client.post(
        URL,
        {"target_kind": "user", "target_id": other.pk, "reason": "abuse", "next": "/webinars/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/webinars/"
    assert Flag.objects.get().target_id == other.pk
    page = client.get("/webinars/")
    assert "Thank you. Your report was sent" in page.content.decode()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"target_kind": "planet", "reason": "spam"}, "target_kind"),
        ({"target_kind": ["coach"], "reason": "spam"}, "target_kind"),
        ({"target_kind": "coach", "target_id": None, "reason": "spam"}, "target_id"),
        (
            {"target_kind": "coach", "target_id": 99999999999999999999, "reason": "spam"},
            "target_id",
        ),
        ({"target_kind": "coach", "target_id": True, "reason": "spam"}, "target_id"),
        ({"target_kind": "coach", "reason": "rude"}, "reason"),
        ({"target_kind": "coach", "reason": None}, "reason"),
        ({"target_kind": "coach", "reason": "spam", "note": "x" * 1001}, "note"),
    ],
)
def test_bad_input_answers_400_with_the_field_in_error(client, reporter, body, field):
    coach = CoachFactory()
    response = post_json(client, {"target_id": coach.pk, **body})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert Flag.objects.count() == 0


def test_an_unknown_target_id_answers_400(client, reporter):
    response = post_json(client, {"target_kind": "webinar", "target_id": 987654, "reason": "spam"})
    assert response.status_code == 400
    assert "target_id" in response.json()["errors"]


def test_a_target_the_reporter_cannot_see_is_unknown_to_them(client, reporter):
    draft = WebinarFactory(status=Webinar.Status.DRAFT)
    unlisted = CoachFactory(is_listed=False)
    for kind, pk in (("webinar", draft.pk), ("coach", unlisted.pk)):
        response = post_json(client, {"target_kind": kind, "target_id": pk, "reason": "spam"})
        assert response.status_code == 400
        assert response.json()["errors"]["target_id"] == [
            "We could not find what you are reporting."
        ]
    assert Flag.objects.count() == 0


def test_an_attendee_may_report_a_webinar_that_was_hidden_but_others_may_not(client, reporter):
    from django.utils import timezone

    webinar = WebinarFactory(hidden_by_moderation_at=timezone.now())
    body = {"target_kind": "webinar", "target_id": webinar.pk, "reason": "fraud"}
    assert post_json(client, body).status_code == 400
    RegistrationFactory(webinar=webinar, user=reporter)
    assert post_json(client, body).status_code == 201


def test_reporting_yourself_or_your_own_content_answers_400(client):
    coach = CoachFactory()
    client.force_login(coach.user)
    webinar = WebinarFactory(coach=coach)
    for kind, pk in (("coach", coach.pk), ("webinar", webinar.pk), ("user", coach.user.pk)):
        response = post_json(client, {"target_kind": kind, "target_id": pk, "reason": "spam"})
        assert response.status_code == 400
        assert response.json()["errors"]["target_id"] == [
            "You cannot report yourself or your own content."
        ]


def test_anonymous_json_answers_401_and_a_form_redirects_to_login(client):
    coach = CoachFactory()
    body = {"target_kind": "coach", "target_id": coach.pk, "reason": "spam"}
    assert post_json(client, body).status_code == 401
    response = client.post(URL, {**body, "next": coach.get_absolute_url()})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert Flag.objects.count() == 0


def test_get_is_not_allowed(client, reporter):
    assert client.get(URL).status_code == 405


def test_a_person_blocked_by_the_coach_may_still_report_them(client, reporter):
    """Blocking hides people from each other; it must not silence a report (safety path)."""
    coach = CoachFactory()
    Block.objects.create(blocker=coach.user, blocked=reporter)
    body = {"target_kind": "coach", "target_id": coach.pk, "reason": "abuse"}
    assert post_json(client, body).status_code == 201
    Block.objects.create(blocker=reporter, blocked=UserFactory())
    assert Flag.objects.get().reporter == reporter


def test_htmx_answers_the_disclosure_with_the_thanks_in_its_status_region(client, reporter):
    coach = CoachFactory()
    response = client.post(
        URL,
        {"target_kind": "coach", "target_id": coach.pk, "reason": "spam", "next": "/"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="report-coach-{coach.pk}-status" role="status"' in html
    assert "Thank you. Your report was sent" in html
    assert "<form" not in html


def test_htmx_with_no_reason_shows_the_error_next_to_the_select(client, reporter):
    coach = CoachFactory()
    response = client.post(
        URL, {"target_kind": "coach", "target_id": coach.pk, "reason": ""}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200  # htmx swaps 2xx only: the errors must be shown
    assert 'aria-invalid="true"' in html
    assert "Choose a reason from the list." in html
    assert Flag.objects.count() == 0


def test_a_plain_form_with_errors_answers_400_with_the_form_again(client, reporter):
    response = client.post(URL, {"target_kind": "coach", "target_id": "abc", "reason": "spam"})
    assert response.status_code == 400
    assert "We could not find what you are reporting." in response.content.decode()


def test_too_many_reports_answer_429(client, reporter, settings):
    coach = CoachFactory()
    for _ in range(FLAG_THROTTLE.limit):
        post_json(client, {"target_kind": "coach", "target_id": coach.pk, "reason": "spam"})
    response = post_json(client, {"target_kind": "coach", "target_id": coach.pk, "reason": "spam"})
    assert response.status_code == 429
    assert response.json()["code"] == "FLAG_RATE_LIMITED"


def test_a_plain_form_with_an_unknown_kind_shows_that_error_above_the_form(client, reporter):
    response = client.post(URL, {"target_kind": "planet", "target_id": "1", "reason": "spam"})
    assert response.status_code == 400
    assert "Choose what you are reporting." in response.content.decode()
