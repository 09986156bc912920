"""The quote endpoint follows calendar visibility, and discount-code checks are throttled per
client and per IP address (issue 8 #12)."""

import pytest
from django.urls import reverse

from accounts.models import Coach, Connection
from accounts.tests.factories import UserFactory
from bookings.http import DISCOUNT_CODE_THROTTLE
from bookings.tests.factories import (
    AvailabilitySlotFactory,
    DiscountCodeFactory,
    at,
    coach_with_offer,
    future_weekday,
)

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def offer():
    coach, session_type = coach_with_offer()
    day = future_weekday(0)
    AvailabilitySlotFactory(coach=coach, start=at(day, 9), end=at(day, 20), instant_booking=True)
    DiscountCodeFactory(coach=coach, code="LINA20")
    return coach, session_type, day


def _quote(client, coach, session_type, day, code="", **extra):
    params = {
        "coach": coach.pk,
        "session_type": session_type.pk,
        "start": at(day, 10).isoformat(),
        "duration": 60,
        "code": code,
    }
    return client.get(reverse("bookings:quote"), params, **JSON, **extra)


@pytest.mark.parametrize("visibility", ["private", "connected"])
def test_anonymous_quote_of_a_hidden_calendar_is_refused(client, offer, visibility):
    coach, session_type, day = offer
    Coach.objects.filter(pk=coach.pk).update(calendar_visibility=visibility)
    response = _quote(client, coach, session_type, day, code="LINA20")
    assert response.status_code == 403
    assert response.json()["code"] == "not_visible" and "total" not in response.json()


def test_connected_only_coach_quotes_for_connected_clients(client, offer):
    coach, session_type, day = offer
    Coach.objects.filter(pk=coach.pk).update(calendar_visibility="connected")
    stranger, connected = UserFactory(), UserFactory()
    Connection.objects.create(
        client=connected, coach=coach, requested_by=connected, status=Connection.Status.ACCEPTED
    )
    client.force_login(stranger)
    assert _quote(client, coach, session_type, day).status_code == 403
    client.force_login(connected)
    assert _quote(client, coach, session_type, day).json()["total"] == "150.00"


def test_public_coach_still_quotes_for_anyone(client, offer):
    coach, session_type, day = offer
    assert _quote(client, coach, session_type, day, code="LINA20").status_code == 200


def _guess(client, coach, session_type, day, n, **extra):
    for i in range(n):
        response = _quote(client, coach, session_type, day, code=f"GUESS{i}", **extra)
        assert response.status_code == 400, (i, response.content)


def test_twenty_wrong_codes_then_429_even_for_the_right_code(client, offer):
    coach, session_type, day = offer
    client.force_login(UserFactory())
    _guess(client, coach, session_type, day, DISCOUNT_CODE_THROTTLE.limit)
    response = _quote(client, coach, session_type, day, code="LINA20")
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_attempts"
    assert "Too many wrong attempts" in response.json()["message"]
    # Quotes without a code still work: only code checks are throttled.
    assert _quote(client, coach, session_type, day).status_code == 200


def test_the_throttle_follows_the_address_across_accounts(client, offer):
    coach, session_type, day = offer
    client.force_login(UserFactory())
    _guess(client, coach, session_type, day, DISCOUNT_CODE_THROTTLE.limit)
    client.force_login(UserFactory())  # a fresh account from the same address
    assert _quote(client, coach, session_type, day, code="LINA20").status_code == 429


def test_the_throttle_follows_the_account_across_addresses(client, offer):
    coach, session_type, day = offer
    client.force_login(UserFactory())
    _guess(client, coach, session_type, day, DISCOUNT_CODE_THROTTLE.limit)
    other_ip = {"REMOTE_ADDR": "203.0.113.9"}
    assert _quote(client, coach, session_type, day, code="LINA20", **other_ip).status_code == 429
    client.logout()
    assert _quote(client, coach, session_type, day, code="LINA20", **other_ip).status_code == 200


def test_the_booking_modal_and_create_share_the_throttle(client, offer):
    coach, session_type, day = offer
    client.force_login(UserFactory())
    _guess(client, coach, session_type, day, DISCOUNT_CODE_THROTTLE.limit)
    html = client.get(
        reverse("bookings:book", args=[coach.pk]),
        {
            "session_type": session_type.pk,
            "date": day.isoformat(),
            "duration": 60,
            "start": at(day, 10).isoformat(),
            "code": "LINA20",
        },
    ).content.decode()
    assert "Too many wrong attempts" in html
    response = client.post(
        reverse("bookings:create"),
        {
            "coach": coach.pk,
            "session_type": session_type.pk,
            "start": at(day, 10).isoformat(),
            "duration": 60,
            "code": "LINA20",
        },
        content_type="application/json",
        **JSON,
    )
    assert response.status_code == 429


@pytest.mark.parametrize(
    ("visibility", "connection", "blocked", "can_book"),
    [
        (Coach.CalendarVisibility.PUBLIC, None, False, True),
        (Coach.CalendarVisibility.CONNECTED, None, False, False),
        (Coach.CalendarVisibility.CONNECTED, Connection.Status.PENDING, False, False),
        (Coach.CalendarVisibility.CONNECTED, Connection.Status.ACCEPTED, False, True),
        (Coach.CalendarVisibility.PUBLIC, Connection.Status.ACCEPTED, True, False),
    ],
)
def test_calendar_access_reads_the_block_and_the_connection_in_one_query(
    django_assert_num_queries, visibility, connection, blocked, can_book
):
    from accounts.models import Block
    from bookings.selectors import calendar_access

    coach, _ = coach_with_offer()
    Coach.objects.filter(pk=coach.pk).update(calendar_visibility=visibility)
    coach.refresh_from_db()
    client = UserFactory()
    if connection:
        Connection.objects.create(
            client=client, coach=coach, requested_by=client, status=connection
        )
    if blocked:
        Block.objects.create(blocker=coach.user, blocked=client)

    with django_assert_num_queries(1):
        access = calendar_access(client, coach)

    assert access.blocked is blocked and access.can_book is can_book
    assert access.connection_status == (None if blocked else connection)
    assert access.connected is (connection == Connection.Status.ACCEPTED and not blocked)
