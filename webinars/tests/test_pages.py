"""What people see: the list, the detail page (and its modal), access to join link and
materials, the coach's pages, My Bookings, and constant query counts."""

import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import CoachFactory, UserFactory
from webinars.models import Webinar
from webinars.tests.factories import (
    HeldRegistrationFactory,
    MaterialFactory,
    RegistrationFactory,
    WebinarFactory,
)

pytestmark = pytest.mark.django_db


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_list_shows_upcoming_webinars_with_price_now_spots_and_coach(client):
    coach = CoachFactory(user__first_name="Grace", user__last_name="Hopper")
    early = WebinarFactory(
        coach=coach,
        title="Early one",
        price=Decimal("150.00"),
        early_bird_price=Decimal("120.00"),
        early_bird_deadline=timezone.now() + timedelta(days=3),
        max_attendees=10,
    )
    RegistrationFactory(webinar=early)
    WebinarFactory(title="Secret draft", status=Webinar.Status.DRAFT)
    WebinarFactory(title="Long gone", slots__starts_in=timedelta(days=-3))
    html = html_of(client.get(reverse("webinars:list")))
    assert "Early one" in html and "Grace Hopper" in html
    assert "CHF 120.00" in html and "early bird until" in html
    assert "9 spots left" in html
    assert "Secret draft" not in html and "Long gone" not in html
    assert f'hx-get="/webinars/{early.pk}/"' in html and f'href="/webinars/{early.pk}/"' in html


def test_detail_shows_slots_in_the_viewers_timezone_and_the_book_button(client):
    webinar = WebinarFactory(max_attendees=3)
    slot = webinar.slots.get()
    viewer = UserFactory(timezone="America/New_York")
    client.force_login(viewer)
    html = html_of(client.get(reverse("webinars:detail", args=[webinar.pk])))
    local = timezone.localtime(slot.start, viewer.tzinfo)
    assert local.strftime("%H:%M") in html
    assert "America/New_York" in html
    assert "3 spots left" in html
    assert "Book webinar" in html
    assert f'id="webinar-{webinar.pk}-spots"' in html and f'id="webinar-{webinar.pk}-panel"' in html


def test_detail_as_htmx_request_is_the_modal_fragment(client):
    webinar = WebinarFactory()
    html = html_of(
        client.get(reverse("webinars:detail", args=[webinar.pk]), HTTP_HX_REQUEST="true")
    )
    assert (
        '<dialog class="modal modal-wide" data-modal' in html
        and "<html" not in html
        and webinar.title in html
    )


def test_full_webinar_shows_webinar_full_and_no_book_button(client):
    webinar = WebinarFactory(max_attendees=1)
    RegistrationFactory(webinar=webinar)
    client.force_login(UserFactory())
    html = html_of(client.get(reverse("webinars:detail", args=[webinar.pk])))
    assert "Webinar full" in html and "Book webinar" not in html


def test_started_webinar_shows_booking_closed(client):
    webinar = WebinarFactory(slots__starts_in=timedelta(minutes=-10))
    client.force_login(UserFactory())
    html = html_of(client.get(reverse("webinars:detail", args=[webinar.pk])))
    assert "Booking closed" in html and "Book webinar" not in html


def test_coach_sees_attendee_count_and_no_book_button(client):
    webinar = WebinarFactory(max_attendees=20)
    for _ in range(7):
        RegistrationFactory(webinar=webinar)
    HeldRegistrationFactory(webinar=webinar)  # a hold is not an attendee
    client.force_login(webinar.coach.user)
    html = html_of(client.get(reverse("webinars:detail", args=[webinar.pk])))
    assert f'id="webinar-{webinar.pk}-attendees"' in html
    assert "7 / 20" in html and "This is your webinar." in html and "Book webinar" not in html


def test_attendee_sees_youre_booked_join_link_and_materials(client):
    webinar = WebinarFactory()
    material = MaterialFactory(webinar=webinar, title="Workbook")
    registration = RegistrationFactory(webinar=webinar)
    client.force_login(registration.user)
    html = html_of(client.get(reverse("webinars:detail", args=[webinar.pk])))
    assert "You're booked!" in html
    assert reverse("webinars:join", args=[webinar.pk]) in html
    assert reverse("webinars:material", args=[webinar.pk, material.pk]) in html
    assert "Book webinar" not in html


def test_non_attendee_sees_no_join_link_or_materials(client):
    webinar = WebinarFactory()
    MaterialFactory(webinar=webinar, title="Workbook")
    client.force_login(UserFactory())
    html = html_of(client.get(reverse("webinars:detail", args=[webinar.pk])))
    assert "Workbook" not in html and reverse("webinars:join", args=[webinar.pk]) not in html


def test_material_download_for_attendee_and_coach_403_for_others(client):
    webinar = WebinarFactory()
    material = MaterialFactory(webinar=webinar)
    url = reverse("webinars:material", args=[webinar.pk, material.pk])
    attendee = RegistrationFactory(webinar=webinar).user
    holder = HeldRegistrationFactory(webinar=webinar).user

    client.force_login(attendee)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 slides"
    assert "attachment" in response["Content-Disposition"]

    client.force_login(webinar.coach.user)
    assert client.get(url).status_code == 200
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    client.force_login(holder)  # a seat on hold is not a paid seat
    assert client.get(url).status_code == 403
    client.force_login(CoachFactory().user)  # another coach
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


def test_join_redirects_attendees_to_the_link_and_refuses_others(client):
    webinar = WebinarFactory(join_link="https://meet.example.com/abc")
    attendee = RegistrationFactory(webinar=webinar).user
    url = reverse("webinars:join", args=[webinar.pk])
    client.force_login(attendee)
    response = client.get(url)
    assert (response.status_code, response["Location"]) == (302, "https://meet.example.com/abc")
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403


def test_join_without_a_link_opens_the_session_room(client):
    webinar = WebinarFactory(join_link="")
    client.force_login(RegistrationFactory(webinar=webinar).user)
    assert "session room" in html_of(client.get(reverse("webinars:join", args=[webinar.pk])))


def test_my_bookings_lists_upcoming_and_past_webinars_with_join_and_materials(client):
    user = UserFactory(timezone="Asia/Tokyo")
    upcoming = RegistrationFactory(user=user).webinar
    material = MaterialFactory(webinar=upcoming, title="Workbook")
    past = RegistrationFactory(
        user=user, webinar=WebinarFactory(slots__starts_in=timedelta(days=-9))
    ).webinar
    someone_elses = RegistrationFactory().webinar
    client.force_login(user)
    html = html_of(client.get("/bookings/mine/"))
    assert upcoming.title in html and past.title in html and someone_elses.title not in html
    assert reverse("webinars:join", args=[upcoming.pk]) in html
    assert reverse("webinars:material", args=[upcoming.pk, material.pk]) in html
    start = timezone.localtime(upcoming.slots.get().start, user.tzinfo)
    assert start.strftime("%H:%M") in html and "Asia/Tokyo" in html
    assert html.index(upcoming.title) < html.index("Past") < html.index(past.title)


def test_my_bookings_requires_login(client):
    assert client.get("/bookings/mine/").status_code == 302


def test_coach_pages_show_attendees_and_csv_to_their_coach_only(client):
    webinar = WebinarFactory(max_attendees=20)
    registration = RegistrationFactory(webinar=webinar, user=UserFactory(email="ada@example.com"))
    client.force_login(webinar.coach.user)
    assert "1 / 20" in html_of(client.get(reverse("webinars:coach_webinars")))
    assert "ada@example.com" in html_of(
        client.get(reverse("webinars:attendees", args=[webinar.pk]))
    )
    csv = client.get(reverse("webinars:attendees", args=[webinar.pk]) + "?format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert "ada@example.com" in csv.content.decode() and registration.status in csv.content.decode()
    client.force_login(CoachFactory().user)
    assert client.get(reverse("webinars:attendees", args=[webinar.pk])).status_code == 403
    client.force_login(UserFactory())
    assert client.get(reverse("webinars:coach_webinars")).status_code == 403


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_detail_page_query_count_does_not_grow_with_attendees(client):
    webinar = WebinarFactory(max_attendees=500)
    MaterialFactory(webinar=webinar)
    attendee = RegistrationFactory(webinar=webinar).user
    client.force_login(attendee)
    url = reverse("webinars:detail", args=[webinar.pk])
    few = _queries(client, url)
    for _ in range(60):
        RegistrationFactory(webinar=webinar)
    assert _queries(client, url) == few


def test_my_bookings_query_count_does_not_grow_with_bookings(client):
    user = UserFactory()
    client.force_login(user)
    for _ in range(2):
        MaterialFactory(webinar=RegistrationFactory(user=user).webinar)
    few = _queries(client, "/bookings/mine/")
    for _ in range(25):
        MaterialFactory(webinar=RegistrationFactory(user=user).webinar)
    assert _queries(client, "/bookings/mine/") == few


def test_my_bookings_query_count_does_not_grow_with_cancelled_and_refunded_seats(client):
    user = UserFactory()
    client.force_login(user)

    def cancelled_and_refunded():
        cancelled = WebinarFactory(status=Webinar.Status.CANCELLED)
        RegistrationFactory(user=user, webinar=cancelled, status="cancelled")
        RegistrationFactory(user=user, webinar=WebinarFactory(), status="refunded")

    cancelled_and_refunded()
    few = _queries(client, "/bookings/mine/")
    for _ in range(10):
        cancelled_and_refunded()
    first = client.get("/bookings/mine/").content.decode()
    nav = first.split('aria-label="Past webinars pages"', 1)[1].split("</nav>", 1)[0]
    older = unescape(re.search(r'href="([^"]*)" rel="next"', nav).group(1))
    html = first + client.get("/bookings/mine/" + older).content.decode()  # 22 rows, 20 a page
    assert html.count("Cancelled by the coach") == 11
    assert _queries(client, "/bookings/mine/") == few


def test_list_query_count_does_not_grow_with_webinars(client):
    WebinarFactory()
    few = _queries(client, reverse("webinars:list"))
    for _ in range(15):
        RegistrationFactory(webinar=WebinarFactory())
    assert _queries(client, reverse("webinars:list")) == few
