"""The review section of the coach profile: average and count (hidden reviews excluded),
accessible star text, newest first, replies, the review form for an eligible client, blocked
authors hidden from the viewer, a constant number of queries; search's rating tie-breaker;
moderation through the services and the admin."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Block, User
from accounts.tests.factories import CoachFactory, UserFactory
from reviews import services
from reviews.errors import NotAllowed
from reviews.models import Review
from reviews.selectors import rating_summary
from reviews.tests.factories import ReviewFactory, past_booking, past_registration

pytestmark = pytest.mark.django_db


def _profile(client, coach, **params):
    return client.get(reverse("discovery:coach_profile", kwargs={"slug": coach.slug}), params)


def test_the_average_excludes_hidden_reviews():
    coach = CoachFactory()
    ReviewFactory(coach=coach, rating=5)
    ReviewFactory(coach=coach, rating=4)
    hidden = ReviewFactory(coach=coach, rating=1)
    staff = UserFactory(role=User.Role.STAFF)
    services.review_hide(actor=staff, review_id=hidden.pk, reason="Abusive")
    summary = rating_summary(coach)
    assert (summary.average, summary.count) == (pytest.approx(4.5), 2)
    assert summary.label == "4.5 out of 5, 2 reviews"
    services.review_unhide(actor=staff, review_id=hidden.pk)
    assert rating_summary(coach).label == "3.3 out of 5, 3 reviews"


def test_only_staff_hide_reviews():
    review = ReviewFactory()
    with pytest.raises(NotAllowed):
        services.review_hide(actor=review.coach.user, review_id=review.pk, reason="I dislike it")
    review.refresh_from_db()
    assert review.hidden_at is None


def test_profile_shows_average_count_reviews_newest_first_and_the_reply(client):
    coach = CoachFactory(user__first_name="Jane", user__last_name="Coach")
    older = ReviewFactory(coach=coach, rating=5, text="Older one")
    Review.objects.filter(pk=older.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    ReviewFactory(
        coach=coach, rating=4, text="Newer one", reply_text="Thanks!", replied_at=timezone.now()
    )
    hidden = ReviewFactory(coach=coach, rating=1, text="Hidden spam")
    Review.objects.filter(pk=hidden.pk).update(hidden_at=timezone.now(), hidden_reason="spam")
    html = _profile(client, coach).content.decode()
    assert "4.5 out of 5, 2 reviews" in html
    assert html.index("Newer one") < html.index("Older one")
    assert "Reply from Jane Coach" in html and "Thanks!" in html
    assert "Hidden spam" not in html
    assert "Rated 4 out of 5" in html


def test_profile_without_reviews_has_an_empty_state(client):
    coach = CoachFactory(user__first_name="Jane", user__last_name="Coach")
    html = _profile(client, coach).content.decode()
    assert "No reviews yet." in html
    assert "Nobody has reviewed Jane Coach yet." in html


def test_an_eligible_client_sees_the_form_with_only_unreviewed_attended_items(client):
    coach = CoachFactory()
    ada = UserFactory()
    open_booking = past_booking(client=ada, coach=coach, title="Career talk")
    reviewed = past_booking(client=ada, coach=coach, title="Already reviewed")
    ReviewFactory(coach=coach, author=ada, booking=reviewed)
    past_booking(client=ada, coach=coach, title="Too old", ended_ago=dt.timedelta(days=40))
    registration = past_registration(user=ada, coach=coach)
    client.force_login(ada)
    html = _profile(client, coach).content.decode()
    assert "Publish review" in html
    # The review form's own select (the page also has the "Report" form's reasons).
    review_select = re.search(r'<select[^>]*name="target".*?</select>', html, re.S).group(0)
    options = re.findall(r'<option value="([^"]*)"', review_select)
    assert sorted(options) == sorted(
        ["", f"booking:{open_booking.pk}", f"registration:{registration.pk}"]
    )


@pytest.mark.parametrize("who", ["anonymous", "no_attendance", "the_coach", "blocked"])
def test_no_form_for_people_who_may_not_review(client, who):
    coach = CoachFactory()
    ada = UserFactory()
    past_booking(client=ada, coach=coach)
    if who == "no_attendance":
        client.force_login(UserFactory())
    elif who == "the_coach":
        client.force_login(coach.user)
    elif who == "blocked":
        Block.objects.create(blocker=coach.user, blocked=ada)
        client.force_login(ada)
    response = _profile(client, coach)
    assert "Publish review" not in response.content.decode()


def test_reviews_by_people_blocked_with_the_viewer_are_not_shown_to_them(client):
    coach = CoachFactory()
    troll = UserFactory(first_name="Troll")
    ReviewFactory(coach=coach, author=troll, text="By the troll")
    ReviewFactory(coach=coach, text="By someone else")
    viewer = UserFactory()
    Block.objects.create(blocker=viewer, blocked=troll)
    client.force_login(viewer)
    html = _profile(client, coach).content.decode()
    assert "By someone else" in html and "By the troll" not in html
    client.logout()
    assert "By the troll" in _profile(client, coach).content.decode()


def test_the_coach_sees_a_reply_form_only_on_unanswered_reviews(client):
    coach = CoachFactory()
    open_review = ReviewFactory(coach=coach)
    answered = ReviewFactory(coach=coach, reply_text="Done", replied_at=timezone.now())
    client.force_login(coach.user)
    html = _profile(client, coach).content.decode()
    assert reverse("reviews:reply", args=[open_review.pk]) in html
    assert reverse("reviews:reply", args=[answered.pk]) not in html


def test_the_author_sees_an_edit_form_for_48_hours(client):
    review = ReviewFactory()
    client.force_login(review.author)
    assert (
        reverse("reviews:edit", args=[review.pk]) in _profile(client, review.coach).content.decode()
    )
    Review.objects.filter(pk=review.pk).update(created_at=timezone.now() - dt.timedelta(hours=49))
    html = _profile(client, review.coach).content.decode()
    assert reverse("reviews:edit", args=[review.pk]) not in html


def test_reviews_are_paginated_ten_a_page(client):
    coach = CoachFactory()
    for n in range(12):
        ReviewFactory(coach=coach, text=f"Review number {n:02d}")
    first = _profile(client, coach).content.decode()
    second = _profile(client, coach, reviews_page=2).content.decode()
    assert first.count('class="review"') == 10 and second.count('class="review"') == 2
    assert "Review number 11" in first and "Review number 00" in second
    assert "12 reviews" in second
    assert _profile(client, coach, reviews_page="junk").status_code == 200


def _queries(client, coach) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert _profile(client, coach).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["anonymous", "eligible_client", "coach"])
def test_profile_query_count_is_the_same_with_1_and_30_reviews(client, role):
    coach = CoachFactory()
    ada = UserFactory()
    past_booking(client=ada, coach=coach)
    past_registration(user=ada, coach=coach)
    if role == "eligible_client":
        client.force_login(ada)
    elif role == "coach":
        client.force_login(coach.user)
    ReviewFactory(coach=coach, reply_text="Thanks", replied_at=timezone.now())
    one = _queries(client, coach)
    for n in range(29):
        if n % 2:
            ReviewFactory(
                coach=coach, registration=past_registration(user=UserFactory(), coach=coach)
            )
        else:
            ReviewFactory(coach=coach, reply_text="Thanks", replied_at=timezone.now())
    assert Review.objects.filter(coach=coach).count() == 30
    assert _queries(client, coach) == one


def test_search_orders_equal_rank_coaches_by_average_rating(client):
    low = CoachFactory(user__first_name="Lowrated", headline="Negotiation coach")
    high = CoachFactory(user__first_name="Highrated", headline="Negotiation coach")
    unrated = CoachFactory(user__first_name="Unrated", headline="Negotiation coach")
    ReviewFactory(coach=low, rating=2)
    ReviewFactory(coach=high, rating=5)
    ReviewFactory(coach=high, rating=4)
    hidden = ReviewFactory(coach=low, rating=5)
    Review.objects.filter(pk=hidden.pk).update(hidden_at=timezone.now())
    response = client.get(
        reverse("discovery:search"),
        {"q": "Negotiation coach", "kind": "coach"},
        HTTP_ACCEPT="application/json",
    )
    ids = [r["id"] for r in response.json()["results"]]
    assert ids == [high.pk, low.pk, unrated.pk]


def test_admin_hides_and_shows_reviews_through_the_actions(admin_client):
    review = ReviewFactory(rating=1)
    url = reverse("admin:reviews_review_changelist")
    admin_client.post(url, {"action": "hide_reviews", "_selected_action": [review.pk]})
    review.refresh_from_db()
    assert review.hidden_at is not None and review.hidden_reason
    assert admin_client.get(url, {"hidden": "yes"}).status_code == 200
    admin_client.post(url, {"action": "unhide_reviews", "_selected_action": [review.pk]})
    review.refresh_from_db()
    assert review.hidden_at is None
    change = admin_client.get(reverse("admin:reviews_review_change", args=[review.pk]))
    assert change.status_code == 200


def test_coaches_do_not_see_reviews_in_the_admin(client):
    review = ReviewFactory()
    client.force_login(review.coach.user)
    assert client.get(reverse("admin:reviews_review_changelist")).status_code == 403
    change = client.get(reverse("admin:reviews_review_change", args=[review.pk]))
    assert change.status_code == 403


def test_my_bookings_links_review_for_what_may_be_reviewed_now(client):
    coach = CoachFactory()
    ada = UserFactory()
    open_booking = past_booking(client=ada, coach=coach, title="Open for review")
    done = past_booking(client=ada, coach=coach, title="Reviewed already")
    ReviewFactory(coach=coach, author=ada, booking=done)
    registration = past_registration(user=ada, coach=coach)
    client.force_login(ada)
    html = client.get("/bookings/mine/").content.decode()
    link = f"{coach.get_absolute_url()}#write-review"
    assert html.count(f'href="{link}"') == 2  # the open session and the webinar seat
    assert f'Review<span class="visually-hidden"> {open_booking.title}' in html
    assert f'Review<span class="visually-hidden"> {registration.webinar.title}' in html
    assert f'Review<span class="visually-hidden"> {done.title}' not in html


def test_my_bookings_review_links_follow_the_history_window(client):
    # 23 reviewable sessions: 20 on the first window of the past list, 3 behind "Older".
    import re
    from html import unescape

    coach = CoachFactory()
    ada = UserFactory()
    sessions = [past_booking(client=ada, coach=coach, title=f"Talk {n}") for n in range(23)]
    link = f'href="{coach.get_absolute_url()}#write-review"'
    client.force_login(ada)

    first = client.get("/bookings/mine/").content.decode()
    older = re.search(r'href="(\?[^"]*sessions_older=[^"]+)"', first)
    second = client.get("/bookings/mine/" + unescape(older.group(1))).content.decode()

    assert first.count(link) == 20 and second.count(link) == 3
    for booking in sessions[:20]:  # newest first: the first 20 made ended most recently
        assert f'Review<span class="visually-hidden"> {booking.title}<' in first
    for booking in sessions[20:]:
        assert f'Review<span class="visually-hidden"> {booking.title}<' in second


def test_reviewable_items_among_given_rows_only():
    from reviews.selectors import reviewable_items

    coach = CoachFactory()
    ada = UserFactory()
    shown, other = (past_booking(client=ada, coach=coach) for _ in range(2))
    seat = past_registration(user=ada, coach=coach)

    among = reviewable_items(author=ada, booking_ids=[shown.pk], registration_ids=[])

    assert [(item.kind, item.pk) for item in among] == [("booking", shown.pk)]
    everything = {(item.kind, item.pk) for item in reviewable_items(author=ada)}
    assert everything == {("booking", shown.pk), ("booking", other.pk), ("registration", seat.pk)}
