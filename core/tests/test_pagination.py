"""Every list is a bounded page: the same number of queries with 10 or 200 rows, page 2 shows
the right rows, page links keep the page's other parameters and work without JavaScript,
junk page numbers and cursors fall back to the first page."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import CoachFactory, UserFactory
from bookings.models import Booking
from bookings.tests.factories import SessionTypeFactory
from core.pagination import decode_cursor, encode_cursor
from webinars.models import Registration, Webinar, WebinarSlot

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="([^"]*)"[^>]*rel="next"')


def webinars(coach, n: int, *, start_days: float = 1, ended: bool = False) -> list[Webinar]:
    """`n` open webinars of `coach`, one a day from `start_days` on (bulk: fast at 200)."""
    now = timezone.now()
    base = Webinar.objects.count()
    rows = Webinar.objects.bulk_create(
        Webinar(
            coach=coach,
            title=f"Webinar {base + i:04d}",
            description="d",
            price=Decimal("50.00"),
            currency="CHF",
            max_attendees=20,
            status=Webinar.Status.SCHEDULED,
            vat_rate=Decimal("8.1"),
            platform_fee_percent=Decimal("15"),
        )
        for i in range(n)
    )
    sign = -1 if ended else 1
    slots = []
    for i, w in enumerate(rows):
        start = now + sign * dt.timedelta(days=start_days + i)
        slots.append(WebinarSlot(webinar=w, start=start, end=start + dt.timedelta(hours=1)))
    WebinarSlot.objects.bulk_create(slots)
    return rows


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)


def next_link(html: str) -> str:
    match = HREF.search(html)
    assert match, "no rel=next link"
    return match.group(1).replace("&amp;", "&")


# ---- /webinars/ (keyset) -------------------------------------------------------------------


def test_webinar_list_costs_the_same_queries_at_10_and_200_webinars(client):
    coach = CoachFactory()
    webinars(coach, 10)
    small = queries(client, "/webinars/")
    webinars(coach, 190, start_days=20)
    webinars(coach, 50, ended=True)
    assert queries(client, "/webinars/") == small


def test_webinar_list_pages_forward_and_back_in_start_order_keeping_filters(client):
    coach = CoachFactory()
    rows = webinars(coach, 60)
    webinars(coach, 5, ended=True)  # never listed
    first = client.get("/webinars/?utm_source=mail").content.decode()
    titles = [w.title for w in rows]
    assert titles[0] in first and titles[23] in first and titles[24] not in first
    assert 'aria-label="Webinar pages"' in first
    link = next_link(first)
    assert "utm_source=mail" in link and "after=" in link
    second = client.get(f"/webinars/{link}").content.decode()
    assert titles[24] in second and titles[47] in second
    assert titles[23] not in second and titles[48] not in second
    third = client.get(f"/webinars/{next_link(second)}").content.decode()
    assert titles[48] in third and titles[59] in third and 'rel="next"' not in third
    prev = re.search(r'href="([^"]*)"[^>]*rel="prev"', third).group(1).replace("&amp;", "&")
    assert "before=" in prev and "after=" not in prev
    back = client.get(f"/webinars/{prev}").content.decode()
    assert titles[24] in back and titles[47] in back and titles[48] not in back
    for ended in Webinar.objects.filter(slots__end__lt=timezone.now()):
        assert ended.title not in first + second + third


def test_webinar_list_junk_cursors_give_the_first_page(client):
    rows = webinars(CoachFactory(), 3)
    for junk in (
        "x",
        "1.",
        ".1",
        "9" * 39 + ".1",
        "-99999999999999999.3",
        "1.99999999999999999999",
    ):
        response = client.get("/webinars/", {"after": junk})
        assert response.status_code == 200
        assert rows[0].title in response.content.decode()


def test_cursor_round_trips():
    value = dt.datetime(2026, 12, 2, 5, 30, 1, 123456, tzinfo=dt.UTC)
    assert decode_cursor(encode_cursor(value, 42)) == (value, 42)


# ---- My Bookings (upcoming in full, past paginated) --------------------------------------


def _past_registrations(user, n: int) -> list[Webinar]:
    rows = webinars(CoachFactory(), n, ended=True)
    Registration.objects.bulk_create(
        Registration(
            webinar=w,
            user=user,
            status=Registration.Status.CONFIRMED,
            amount=Decimal("0"),
            currency="CHF",
            confirmed_at=timezone.now(),
        )
        for w in rows
    )
    return rows  # ended 1, 2, ... days ago: newest first on the page


def _past_sessions(user, n: int) -> list[Booking]:
    session_type = SessionTypeFactory(coach=CoachFactory())
    now = timezone.now()
    return Booking.objects.bulk_create(
        Booking(
            coach=session_type.coach,
            client=user,
            session_type=session_type,
            title=f"Session {i:04d}",
            start=now - dt.timedelta(days=i + 1),
            end=now - dt.timedelta(days=i + 1) + dt.timedelta(hours=1),
            timezone="Europe/Zurich",
            status=Booking.Status.COMPLETED,
            booking_type=Booking.Type.FIRM,
            currency="CHF",
            amount_total=Decimal("150.00"),
        )
        for i in range(n)
    )


def test_my_bookings_costs_the_same_queries_at_10_and_200_past_rows(client):
    user = UserFactory()
    client.force_login(user)
    _past_registrations(user, 10)
    _past_sessions(user, 10)
    small = queries(client, "/bookings/mine/")
    _past_registrations(user, 190)
    _past_sessions(user, 190)
    assert queries(client, "/bookings/mine/") == small
    assert queries(client, "/bookings/mine/?webinars=5&sessions=7") == small


def test_my_bookings_page_2_shows_the_next_past_rows_and_upcoming_stay_in_full(client):
    user = UserFactory()
    client.force_login(user)
    past = _past_registrations(user, 45)
    sessions = _past_sessions(user, 25)
    upcoming = webinars(CoachFactory(), 30)
    Registration.objects.bulk_create(
        Registration(webinar=w, user=user, status="confirmed", amount=0, currency="CHF")
        for w in upcoming
    )
    first = client.get("/bookings/mine/").content.decode()
    assert all(w.title in first for w in upcoming)  # upcoming: never paged
    assert past[0].title in first and past[19].title in first and past[20].title not in first
    assert sessions[19].title in first and sessions[20].title not in first
    assert first.count('aria-current="page"') == 2  # one pager a past list
    assert '<nav class="pagination" aria-label="Past webinars pages">' in first
    assert '<nav class="pagination" aria-label="Past sessions pages">' in first
    second = client.get("/bookings/mine/?webinars=2").content.decode()
    assert past[20].title in second and past[39].title in second
    assert past[19].title not in second and past[40].title not in second
    assert all(w.title in second for w in upcoming)
    assert sessions[0].title in second  # the other list keeps its own page
    assert 'href="?webinars=3"' in second
    both = client.get("/bookings/mine/?webinars=3&sessions=2").content.decode()
    assert past[44].title in both and sessions[24].title in both
    assert 'href="?webinars=3&amp;sessions=1"' in both  # links keep the other list's page
    for junk in ("0", "-1", "x", "99999999999", "1e3"):
        assert client.get("/bookings/mine/", {"webinars": junk}).status_code == 200


# ---- coach pages -----------------------------------------------------------------------------


def test_coach_webinars_page_costs_the_same_at_10_and_200_and_pages_newest_first(client):
    coach = CoachFactory()
    client.force_login(coach.user)
    webinars(coach, 10)
    small = queries(client, "/webinars/mine/")
    rows = webinars(coach, 190, start_days=20)
    assert queries(client, "/webinars/mine/") == small
    second = client.get("/webinars/mine/?page=2").content.decode()
    newest_first = rows[::-1]
    assert newest_first[25].title in second and newest_first[49].title in second
    assert newest_first[24].title not in second and newest_first[50].title not in second
    assert 'aria-current="page"' in second


def test_attendees_page_costs_the_same_at_10_and_200(client):
    coach = CoachFactory()
    client.force_login(coach.user)
    (webinar,) = webinars(coach, 1)
    webinar.max_attendees = 500
    webinar.save(update_fields=["max_attendees"])
    url = f"/webinars/{webinar.pk}/attendees/"

    def attendees(n: int, offset: int):
        users = [UserFactory.build(email=f"a{offset + i}@example.com") for i in range(n)]
        for u in users:
            u.save()
        base = timezone.now() - dt.timedelta(days=1)
        Registration.objects.bulk_create(
            Registration(
                webinar=webinar,
                user=u,
                status="confirmed",
                amount=0,
                currency="CHF",
                confirmed_at=base + dt.timedelta(seconds=offset + i),
            )
            for i, u in enumerate(users)
        )

    attendees(10, 0)
    small = queries(client, url)
    attendees(190, 10)
    assert queries(client, url) == small
    second = client.get(url + "?page=2").content.decode()
    assert "a50@example.com" in second and "a99@example.com" in second
    assert "a49@example.com" not in second and "a100@example.com" not in second
    csv = client.get(url + "?format=csv").content.decode()
    assert "a0@example.com" in csv and "a199@example.com" in csv  # the export stays whole


def test_coach_requests_page_costs_the_same_at_10_and_200(client):
    session_type = SessionTypeFactory(coach=CoachFactory())
    coach = session_type.coach
    client.force_login(coach.user)
    clients = [UserFactory() for _ in range(2)]
    now = timezone.now()

    def requests(n: int, offset: int):
        Booking.objects.bulk_create(
            Booking(
                coach=coach,
                client=clients[i % 2],
                session_type=session_type,
                title=f"Request {offset + i:04d}",
                start=now + dt.timedelta(days=3, hours=offset + i),
                end=now + dt.timedelta(days=3, hours=offset + i, minutes=30),
                timezone="Europe/Zurich",
                status=Booking.Status.REQUESTED,
                booking_type=Booking.Type.REQUEST,
                currency="CHF",
                amount_total=Decimal("150.00"),
            )
            for i in range(n)
        )

    requests(10, 0)
    small = queries(client, reverse("bookings:coach_requests"))
    requests(190, 10)
    assert queries(client, reverse("bookings:coach_requests")) == small
    second = client.get(reverse("bookings:coach_requests") + "?page=2").content.decode()
    assert "Request 0020" in second and "Request 0039" in second
    assert "Request 0019" not in second and "Request 0040" not in second


def test_my_bookings_splits_upcoming_and_past_as_before(client):
    """A seat of a webinar without a date stays upcoming; one whose last slot ended is past;
    a multi-slot webinar with a slot still to come is upcoming (live once started)."""
    from webinars.tests.factories import RegistrationFactory, WebinarFactory

    user = UserFactory()
    client.force_login(user)
    undated = RegistrationFactory(user=user, webinar=WebinarFactory(title="Undated", slots=False))
    ended = RegistrationFactory(
        user=user, webinar=WebinarFactory(title="Ended", slots__starts_in=dt.timedelta(days=-2))
    )
    series = WebinarFactory(title="Series", slots__starts_in=dt.timedelta(days=-1))
    start = timezone.now() + dt.timedelta(days=1)
    WebinarSlot.objects.create(webinar=series, start=start, end=start + dt.timedelta(hours=1))
    RegistrationFactory(user=user, webinar=series)
    from webinars.selectors import my_past_webinars, my_upcoming_webinars

    now = timezone.now()
    upcoming = {item.webinar.title for item in my_upcoming_webinars(user=user, now=now)}
    past = {r.webinar.title for r in my_past_webinars(user=user, now=now)}
    assert upcoming == {"Undated", "Series"} and past == {"Ended"}
    html = client.get("/bookings/mine/").content.decode()
    assert f"my-registration-{undated.pk}" in html and f"my-registration-{ended.pk}" in html
