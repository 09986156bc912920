"""Every list is a bounded page: the same number of queries with 10 or 200 rows, page 2 shows
the right rows, page links keep the page's other parameters and work without JavaScript,
junk page numbers and cursors fall back to the first page."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import CoachFactory, UserFactory
from bookings.models import Booking
from bookings.tests.factories import SessionTypeFactory
from core.pagination import decode_cursor, decode_nullable_cursor, encode_cursor, keyset_page
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
    late = dt.datetime(2999, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC)  # no float rounding
    assert decode_cursor(encode_cursor(late, 7)) == (late, 7)
    assert decode_nullable_cursor(encode_cursor(None, 9)) == (None, 9)
    assert decode_cursor(encode_cursor(None, 9)) is None  # ascending lists have no NULL keys


def test_descending_keyset_walks_every_row_once_both_ways_with_ties():
    user = UserFactory()
    sessions = _past_sessions(user, 7)
    # three more sessions at the start of the second: ties broken by the pk, newest first
    tie = sessions[1]
    for _ in range(3):
        tie.pk = None
        tie.coach = CoachFactory()
        tie.save()
    rows = Booking.objects.filter(client=user)
    expected = list(rows.order_by("-start", "-pk").values_list("pk", flat=True))
    seen, cursor, pages = [], None, []
    while True:
        page = keyset_page(rows, key="start", after=cursor, before=None, size=3, descending=True)
        pages.append([b.pk for b in page.items])
        seen += pages[-1]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == expected and [len(p) for p in pages] == [3, 3, 3, 1]
    assert page.prev_cursor and not page.next_cursor
    back = []
    while page.prev_cursor:
        page = keyset_page(rows, key="start", after=None, before=page.prev_cursor, size=3,
                           descending=True)  # fmt: skip
        back.insert(0, [b.pk for b in page.items])
    assert back == pages[:-1] and page.is_first
    gone = keyset_page(rows, key="start", after=None, before=encode_cursor(timezone.now(), 1),
                       size=3, descending=True)  # fmt: skip
    assert [b.pk for b in gone.items] == expected[:3] and gone.is_first  # nothing newer


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


def _pager_link(html: str, label: str, rel: str) -> str | None:
    """The href of the `rel` ("next": Older, "prev": Newer) link of the pager `label`."""
    match = re.search(rf'<nav class="pagination" aria-label="{label}">(.*?)</nav>', html, re.S)
    assert match, f"no pager {label!r}"
    link = re.search(rf'href="([^"]*)" rel="{rel}"', match.group(1))
    return "/bookings/mine/" + unescape(link.group(1)) if link else None


WEBINAR_PAGES, SESSION_PAGES = "Past webinars pages", "Past sessions pages"


def _shown(html: str, titles: list[str]) -> list[str]:
    """The titles of `titles` the page shows, in the page's order."""
    found = [(html.find(f">{t}<"), t) for t in titles]
    return [t for at, t in sorted(found) if at >= 0]


def test_my_bookings_costs_the_same_queries_with_3_and_60_past_rows(
    client, django_assert_num_queries
):
    user = UserFactory()
    client.force_login(user)
    _past_registrations(user, 3)
    _past_sessions(user, 3)
    small = queries(client, "/bookings/mine/")
    _past_registrations(user, 57)
    _past_sessions(user, 57)
    with django_assert_num_queries(small):
        first = client.get("/bookings/mine/").content.decode()
    second_url = _pager_link(first, WEBINAR_PAGES, "next")
    with django_assert_num_queries(small):
        second = client.get(second_url).content.decode()
    deep_url = _pager_link(_pager_link_page(client, second, SESSION_PAGES), WEBINAR_PAGES, "next")
    with django_assert_num_queries(small):  # rows 40-59 of both lists
        deep = client.get(deep_url).content.decode()
    with django_assert_num_queries(small):  # back up to rows 20-39: a LIMIT from the cursor
        client.get(_pager_link(deep, WEBINAR_PAGES, "prev"))
    # back to the top of the list: one more LIMIT for seats without a date (shown first)
    with django_assert_num_queries(small + 1):
        client.get(_pager_link(second, WEBINAR_PAGES, "prev"))


def _pager_link_page(client, html: str, label: str) -> str:
    """The page behind the Older link of pager `label` (the HTML)."""
    return client.get(_pager_link(html, label, "next")).content.decode()


def test_my_bookings_pages_past_rows_newest_first_each_list_on_its_own(client):
    user = UserFactory()
    client.force_login(user)
    past = [w.title for w in _past_registrations(user, 45)]  # newest first
    sessions = [b.title for b in _past_sessions(user, 25)]  # newest first
    upcoming = webinars(CoachFactory(), 30)
    Registration.objects.bulk_create(
        Registration(webinar=w, user=user, status="confirmed", amount=0, currency="CHF")
        for w in upcoming
    )
    first = client.get("/bookings/mine/").content.decode()
    assert all(w.title in first for w in upcoming)  # upcoming: never paged
    assert _shown(first, past) == past[:20] and _shown(first, sessions) == sessions[:20]
    assert first.count('aria-current="page"') == 2  # each past list is on its first window
    assert _pager_link(first, WEBINAR_PAGES, "prev") is None
    assert 'Older<span class="visually-hidden"> past webinars</span>' in first

    second = client.get(_pager_link(first, WEBINAR_PAGES, "next")).content.decode()
    assert _shown(second, past) == past[20:40]
    assert all(w.title in second for w in upcoming)
    assert _shown(second, sessions) == sessions[:20]  # the other list keeps its own window
    third_url = _pager_link(second, WEBINAR_PAGES, "next")
    third = client.get(third_url).content.decode()
    assert _shown(third, past) == past[40:]
    assert _pager_link(third, WEBINAR_PAGES, "next") is None  # the end of the history
    # the sessions' Older link keeps the webinars' window, and the other way round
    sessions_url = _pager_link(third, SESSION_PAGES, "next")
    assert "webinars_older=" in sessions_url
    both = client.get(sessions_url).content.decode()
    assert _shown(both, past) == past[40:] and _shown(both, sessions) == sessions[20:]
    assert "sessions_older=" in _pager_link(both, WEBINAR_PAGES, "prev")
    # Newer goes back window by window, to the very rows seen on the way down
    back = client.get(_pager_link(both, WEBINAR_PAGES, "prev")).content.decode()
    assert _shown(back, past) == past[20:40] and _shown(back, sessions) == sessions[20:]
    top = client.get(_pager_link(back, WEBINAR_PAGES, "prev")).content.decode()
    assert _shown(top, past) == past[:20]
    assert 'aria-current="page">Most recent' in top.split(WEBINAR_PAGES, 1)[1]
    # "Most recent" drops the list's cursor and keeps the other list's
    most_recent = re.search(r'href="([^"]*)">Most recent<span class="visually-hidden"> past '
                            r"webinars", both).group(1)  # fmt: skip
    assert "webinars_" not in unescape(most_recent) and "sessions_older=" in most_recent
    for junk in ("0", "-1", "x", "n.x", "99999999999", "1e3", "n." + "9" * 30, "9" * 39 + ".1"):
        for param in ("webinars_older", "webinars_newer", "sessions_newer"):
            response = client.get("/bookings/mine/", {param: junk})
            assert response.status_code == 200
            assert _shown(response.content.decode(), past) == past[:20]


def test_my_bookings_walks_every_past_row_once_in_order_with_undated_and_tied_rows(client):
    """Seats of a webinar without a date come first (newest seat first), then by start,
    newest first, the newer seat first on a tie; walking Older then Newer meets every seat
    once, in that order."""
    from webinars.tests.factories import RegistrationFactory, WebinarFactory

    user = UserFactory()
    client.force_login(user)
    undated = [
        RegistrationFactory(user=user, status="refunded", webinar=WebinarFactory(slots=False))
        for _ in range(23)
    ]
    tied = WebinarFactory(slots__starts_in=dt.timedelta(days=-5))
    dated = [RegistrationFactory(user=user, status="refunded", webinar=tied) for _ in range(3)]
    dated += [
        RegistrationFactory(user=user, webinar=w) for w in webinars(CoachFactory(), 30, ended=True)
    ]
    expected = [f"my-registration-{r.pk}" for r in undated[::-1]]
    ordered = sorted(dated, key=lambda r: (-Registration.objects.get(pk=r.pk).webinar_starts_at
                                           .timestamp(), -r.pk))  # fmt: skip
    expected += [f"my-registration-{r.pk}" for r in ordered]
    ids = re.compile(r'id="(my-registration-\d+)"')
    pages, url = [], "/bookings/mine/"
    while url:
        html = client.get(url).content.decode()
        pages.append(ids.findall(html))
        url = _pager_link(html, WEBINAR_PAGES, "next")
    assert [len(p) for p in pages] == [20, 20, 16]
    assert sum(pages, []) == expected  # no gap, no duplicate, the order
    back, url = [], _pager_link(html, WEBINAR_PAGES, "prev")
    while url:
        html = client.get(url).content.decode()
        back.insert(0, ids.findall(html))
        url = _pager_link(html, WEBINAR_PAGES, "prev")
    assert back == pages[:-1]


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
