"""The review contract (issue 18 #2): `POST /coaches/<id>/reviews/` (JSON and form), the
reply and the edit; every refusal the issue names, with its status."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Block
from accounts.tests.factories import CoachFactory, UserFactory
from bookings.models import Booking
from notifications.models import Notification
from payments.models import Payment
from payments.tests.factories import PaymentFactory
from reviews.models import Review
from reviews.tests.factories import ReviewFactory, past_booking, past_registration
from webinars.models import Registration

pytestmark = pytest.mark.django_db


@pytest.fixture
def coach():
    return CoachFactory(user__first_name="Jane", user__last_name="Coach")


@pytest.fixture
def author():
    return UserFactory(first_name="Ada", last_name="Client")


@pytest.fixture
def as_author(client, author):
    client.force_login(author)
    return client


def _post(client, coach, body: dict):
    return client.post(
        reverse("reviews:create", args=[coach.pk]),
        data=json.dumps(body),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )


# --- accepted -------------------------------------------------------------------------------


def test_attended_session_is_reviewed_once_and_the_coach_is_told(as_author, coach, author):
    booking = past_booking(client=author, coach=coach)
    response = _post(as_author, coach, {"rating": 5, "text": "Great", "booking": booking.pk})
    assert response.status_code == 201
    body = response.json()
    assert (body["rating"], body["text"], body["booking"]) == (5, "Great", booking.pk)
    review = Review.objects.get()
    assert (review.coach, review.author, review.booking) == (coach, author, booking)
    notice = Notification.objects.get(recipient=coach.user)
    assert notice.type == "review_received"
    assert "Ada Client reviewed you (5 out of 5)" in notice.body


def test_attended_webinar_is_reviewed_after_its_last_slot(as_author, coach, author):
    registration = past_registration(user=author, coach=coach)
    response = _post(as_author, coach, {"rating": "4", "registration": registration.pk})
    assert response.status_code == 201
    assert Review.objects.get().registration == registration


def test_a_partial_refund_does_not_close_the_review(as_author, coach, author):
    payment = PaymentFactory(
        payer=author,
        coach=coach,
        status=Payment.Status.PARTIALLY_REFUNDED,
        amount_refunded=Decimal("75.00"),
    )
    booking = past_booking(client=author, coach=coach, payment=payment)
    assert _post(as_author, coach, {"rating": 3, "booking": booking.pk}).status_code == 201


def test_a_form_encoded_post_asking_for_json_gets_201_json(as_author, coach, author):
    booking = past_booking(client=author, coach=coach)
    response = as_author.post(
        reverse("reviews:create", args=[coach.pk]),
        {"rating": "5", "booking": booking.pk, "text": "Form body, JSON answer"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 201
    assert response.json()["text"] == "Form body, JSON answer"


# --- refused --------------------------------------------------------------------------------


def test_someone_elses_session_is_refused_403(as_author, coach):
    booking = past_booking(client=UserFactory(), coach=coach)
    response = _post(as_author, coach, {"rating": 5, "booking": booking.pk})
    assert response.status_code == 403
    assert not Review.objects.exists()


def test_a_session_of_another_coach_is_refused_403(as_author, coach, author):
    booking = past_booking(client=author, coach=CoachFactory())
    assert _post(as_author, coach, {"rating": 5, "booking": booking.pk}).status_code == 403


def test_an_unknown_booking_is_refused_403(as_author, coach):
    assert _post(as_author, coach, {"rating": 5, "booking": 987654}).status_code == 403


@pytest.mark.parametrize(
    "status",
    [Booking.Status.CANCELLED_BY_CLIENT, Booking.Status.DECLINED, Booking.Status.EXPIRED],
)
def test_a_session_that_did_not_take_place_is_refused_403(as_author, coach, author, status):
    booking = past_booking(client=author, coach=coach, status=status)
    response = _post(as_author, coach, {"rating": 5, "booking": booking.pk})
    assert response.status_code == 403
    assert response.json()["code"] == "not_attended"


def test_before_the_end_is_refused_403(as_author, coach, author):
    booking = past_booking(
        client=author, coach=coach, ended_ago=-dt.timedelta(minutes=30), status="confirmed"
    )
    response = _post(as_author, coach, {"rating": 5, "booking": booking.pk})
    assert response.status_code == 403
    assert "once it has ended" in response.json()["message"]


def test_a_webinar_before_its_last_slot_ends_is_refused_403(as_author, coach, author):
    registration = past_registration(user=author, coach=coach)
    webinar = registration.webinar
    slot = webinar.slots.get()
    webinar.slots.create(start=slot.start + dt.timedelta(days=3), end=slot.end + dt.timedelta(3))
    assert _post(as_author, coach, {"rating": 5, "registration": registration.pk}).status_code == (
        403
    )


def test_after_30_days_is_refused_403(as_author, coach, author):
    late = past_booking(client=author, coach=coach, ended_ago=dt.timedelta(days=30, minutes=1))
    just = past_booking(client=author, coach=coach, ended_ago=dt.timedelta(days=29, hours=23))
    response = _post(as_author, coach, {"rating": 5, "booking": late.pk})
    assert response.status_code == 403
    assert "30 days" in response.json()["message"]
    assert _post(as_author, coach, {"rating": 5, "booking": just.pk}).status_code == 201


def test_a_session_refunded_in_full_is_refused_403(as_author, coach, author):
    payment = PaymentFactory(
        payer=author, coach=coach, status=Payment.Status.REFUNDED, amount_refunded=Decimal("150")
    )
    booking = past_booking(client=author, coach=coach, payment=payment)
    response = _post(as_author, coach, {"rating": 1, "booking": booking.pk})
    assert response.status_code == 403
    assert "refunded in full" in response.json()["message"]


def test_a_refunded_webinar_seat_is_refused_403(as_author, coach, author):
    registration = past_registration(user=author, coach=coach, status=Registration.Status.REFUNDED)
    assert _post(as_author, coach, {"rating": 2, "registration": registration.pk}).status_code == (
        403
    )


def test_a_second_review_of_the_same_booking_is_409(as_author, coach, author):
    booking = past_booking(client=author, coach=coach)
    assert _post(as_author, coach, {"rating": 5, "booking": booking.pk}).status_code == 201
    response = _post(as_author, coach, {"rating": 1, "booking": booking.pk})
    assert response.status_code == 409
    assert response.json()["code"] == "already_reviewed"
    assert Review.objects.get().rating == 5


def test_the_database_refuses_a_second_review_of_one_registration(coach, author):
    from django.db import IntegrityError, transaction

    registration = past_registration(user=author, coach=coach)
    ReviewFactory(coach=coach, author=author, registration=registration)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewFactory(coach=coach, author=author, registration=registration)


@pytest.mark.parametrize("rating", [0, 6, -1, "five", None, 4.5, True])
def test_a_rating_outside_1_to_5_is_400(as_author, coach, author, rating):
    booking = past_booking(client=author, coach=coach)
    response = _post(as_author, coach, {"rating": rating, "booking": booking.pk})
    assert response.status_code == 400
    assert not Review.objects.exists()


def test_both_targets_or_neither_is_400(as_author, coach, author):
    booking = past_booking(client=author, coach=coach)
    registration = past_registration(user=author, coach=coach)
    both = {"rating": 5, "booking": booking.pk, "registration": registration.pk}
    assert _post(as_author, coach, both).status_code == 400
    assert _post(as_author, coach, {"rating": 5}).status_code == 400
    assert _post(as_author, coach, {"rating": 5, "booking": "abc"}).status_code == 400
    assert not Review.objects.exists()


def test_text_over_2000_characters_is_400(as_author, coach, author):
    booking = past_booking(client=author, coach=coach)
    body = {"rating": 5, "booking": booking.pk, "text": "x" * 2001}
    assert _post(as_author, coach, body).status_code == 400


@pytest.mark.parametrize("direction", ["author_blocked_coach", "coach_blocked_author"])
def test_a_blocked_pair_cannot_review_403(as_author, coach, author, direction):
    booking = past_booking(client=author, coach=coach)
    if direction == "author_blocked_coach":
        Block.objects.create(blocker=author, blocked=coach.user)
    else:
        Block.objects.create(blocker=coach.user, blocked=author)
    response = _post(as_author, coach, {"rating": 5, "booking": booking.pk})
    assert response.status_code == 403
    assert response.json()["code"] == "blocked"


def test_anonymous_json_gets_401_and_a_browser_the_login_page(client, coach):
    response = _post(client, coach, {"rating": 5})
    assert response.status_code == 401
    response = client.post(reverse("reviews:create", args=[coach.pk]), {"rating": "5"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_posts_without_a_csrf_token_are_refused(author, coach):
    booking = past_booking(client=author, coach=coach)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(author)
    response = strict.post(
        reverse("reviews:create", args=[coach.pk]), {"rating": "5", "booking": booking.pk}
    )
    assert response.status_code == 403
    assert not Review.objects.exists()


def test_unknown_coach_is_404(as_author):
    response = as_author.post(
        "/coaches/99999999999999999999/reviews/", data="{}", content_type="application/json"
    )
    assert response.status_code == 404


# --- the form path ----------------------------------------------------------------------------


def test_form_post_goes_back_to_the_profile_with_a_message(as_author, coach, author):
    booking = past_booking(client=author, coach=coach)
    response = as_author.post(
        reverse("reviews:create", args=[coach.pk]),
        {"target": f"booking:{booking.pk}", "rating": "5", "text": "Changed how I run 1:1s."},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == coach.get_absolute_url() + "#reviews"
    html = response.content.decode()
    assert "Thank you: your review is on the coach" in html
    assert "Changed how I run 1:1s." in html
    assert "5.0 out of 5, 1 review" in html


def test_form_post_with_errors_shows_them_on_the_field_400(as_author, coach, author):
    past_booking(client=author, coach=coach)
    response = as_author.post(reverse("reviews:create", args=[coach.pk]), {"text": "x" * 2001})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose a rating from 1 to 5 stars." in html
    assert 'id="id_rating_error"' in html
    assert "Ensure this value has at most 2000 characters" in html
    assert not Review.objects.exists()


def test_form_post_of_a_booking_id_without_the_select_works_too(as_author, coach, author):
    booking = past_booking(client=author, coach=coach)
    response = as_author.post(
        reverse("reviews:create", args=[coach.pk]), {"booking": booking.pk, "rating": "4"}
    )
    assert response.status_code == 302
    assert Review.objects.get().rating == 4


def test_form_post_refused_403_or_409_comes_back_with_the_reason(as_author, coach, author):
    booking = past_booking(client=author, coach=coach)
    ReviewFactory(coach=coach, author=author, booking=booking)
    response = as_author.post(
        reverse("reviews:create", args=[coach.pk]),
        {"booking": booking.pk, "rating": "4"},
        follow=True,
    )
    assert "You already reviewed this." in response.content.decode()
    assert Review.objects.count() == 1


# --- edit and reply ---------------------------------------------------------------------------


def _json_post(client, url, body):
    return client.post(
        url, data=json.dumps(body), content_type="application/json", HTTP_ACCEPT="application/json"
    )


def test_the_author_edits_within_48_hours_not_after(as_author, coach, author):
    review = ReviewFactory(coach=coach, author=author, rating=2)
    url = reverse("reviews:edit", args=[review.pk])
    response = _json_post(as_author, url, {"rating": 4, "text": "Better on reflection"})
    assert response.status_code == 200
    review.refresh_from_db()
    assert (review.rating, review.text) == (4, "Better on reflection")
    assert review.edited_at is not None
    Review.objects.filter(pk=review.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=48, minutes=1)
    )
    response = _json_post(as_author, url, {"rating": 1})
    assert response.status_code == 403
    review.refresh_from_db()
    assert review.rating == 4


def test_only_the_author_edits(client, coach):
    review = ReviewFactory(coach=coach)
    client.force_login(UserFactory())
    response = _json_post(client, reverse("reviews:edit", args=[review.pk]), {"rating": 1})
    assert response.status_code == 403


def test_the_coach_replies_once_and_the_author_is_told(client, coach, author):
    review = ReviewFactory(coach=coach, author=author)
    client.force_login(coach.user)
    url = reverse("reviews:reply", args=[review.pk])
    response = _json_post(client, url, {"reply_text": "Thank you, Ada!"})
    assert response.status_code == 200
    assert response.json()["reply_text"] == "Thank you, Ada!"
    assert Notification.objects.filter(recipient=author, type="review_replied").exists()
    second = _json_post(client, url, {"reply_text": "And again"})
    assert second.status_code == 409
    review.refresh_from_db()
    assert review.reply_text == "Thank you, Ada!"


def test_another_coach_cannot_reply_403(client, coach):
    review = ReviewFactory(coach=coach)
    client.force_login(CoachFactory().user)
    url = reverse("reviews:reply", args=[review.pk])
    assert _json_post(client, url, {"reply_text": "Not mine"}).status_code == 403
    review.refresh_from_db()
    assert review.replied_at is None


def test_an_empty_reply_is_400(client, coach):
    review = ReviewFactory(coach=coach)
    client.force_login(coach.user)
    url = reverse("reviews:reply", args=[review.pk])
    assert _json_post(client, url, {"reply_text": "   "}).status_code == 400


@pytest.mark.parametrize("direction", ["coach_blocked_author", "author_blocked_coach"])
def test_a_blocked_pair_cannot_reply_403(client, coach, author, direction):
    review = ReviewFactory(coach=coach, author=author)
    if direction == "coach_blocked_author":
        Block.objects.create(blocker=coach.user, blocked=author)
    else:
        Block.objects.create(blocker=author, blocked=coach.user)
    client.force_login(coach.user)
    url = reverse("reviews:reply", args=[review.pk])
    assert _json_post(client, url, {"reply_text": "Hi"}).status_code == 403


def test_reply_form_post_redirects_to_the_review_on_the_profile(client, coach):
    review = ReviewFactory(coach=coach)
    client.force_login(coach.user)
    response = client.post(
        reverse("reviews:reply", args=[review.pk]), {"reply_text": "Thanks!"}, follow=True
    )
    html = response.content.decode()
    assert "Your reply is published below the review." in html
    assert "Reply from Jane Coach" in html
