"""HTTP contracts: quote, create, calendar, modal, actions, inbox, dashboard, admin scoping."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Block, Coach, Connection
from accounts.tests.factories import CoachFactory, UserFactory
from bookings.models import Booking, SessionType
from bookings.services.booking_create import booking_create
from bookings.tests.factories import (
    AvailabilitySlotFactory,
    BookingFactory,
    DiscountCodeFactory,
    TimeBasedRateFactory,
    at,
    coach_with_offer,
    future_weekday,
)
from tests.assertions import assert_admin_says_does_not_exist

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def offer():
    coach, session_type = coach_with_offer()
    day = future_weekday(0)
    AvailabilitySlotFactory(coach=coach, start=at(day, 9), end=at(day, 20), instant_booking=True)
    return coach, session_type, day


def _quote(client, coach, session_type, start, duration=60, code=""):
    return client.get(
        reverse("bookings:quote"),
        {
            "coach": coach.pk,
            "session_type": session_type.pk,
            "start": start.isoformat(),
            "duration": duration,
            "code": code,
        },
        **JSON,
    )


class TestQuote:
    def test_quote_contract(self, client, offer):
        coach, session_type, day = offer
        body = _quote(client, coach, session_type, at(day, 10)).json()
        assert body["total"] == "150.00" and body["currency"] == "CHF" and body["discount"] is None
        assert body["breakdown"]["vat"] == {"rate": "8.10", "included": True, "amount": "11.24"}
        assert body["breakdown"]["lines"][0]["kind"] == "base"

    def test_quote_with_a_code_and_an_evening_rate(self, client, offer):
        coach, session_type, day = offer
        DiscountCodeFactory(coach=coach)
        TimeBasedRateFactory(coach=coach, weekdays=[day.weekday()])
        body = _quote(client, coach, session_type, at(day, 18), code="welcome10").json()
        assert body["total"] == "162.00"
        assert body["discount"]["kind"] == "code" and body["discount"]["amount"] == "-18.00"

    @pytest.mark.parametrize(
        "params,status,words",
        [
            ({"start": "tomorrow"}, 400, "ISO 8601"),
            ({"start": "2031-03-03T10:00:00"}, 400, "offset"),
            ({"duration": "abc"}, 400, "duration"),
            ({"duration": "17"}, 400, "between"),
            ({"coach": "999999"}, 404, "coach"),
            ({"session_type": "999999"}, 404, "session type"),
            ({"code": "NOPE"}, 400, "does not exist"),
        ],
    )
    def test_quote_rejects_bad_input_with_a_message(self, client, offer, params, status, words):
        coach, session_type, day = offer
        query = {
            "coach": coach.pk,
            "session_type": session_type.pk,
            "start": at(day, 10).isoformat(),
            "duration": 60,
        }
        query.update(params)
        response = client.get(reverse("bookings:quote"), query, **JSON)
        assert response.status_code == status
        assert words in response.json()["message"]

    def test_quote_for_a_past_time_is_400(self, client, offer):
        coach, session_type, _ = offer
        response = _quote(client, coach, session_type, at(future_weekday(0, weeks_ahead=-2), 10))
        assert response.status_code == 400 and "past" in response.json()["message"]


class TestCreateOverHttp:
    def test_anonymous_gets_401(self, client, offer):
        coach, session_type, day = offer
        response = client.post(reverse("bookings:create"), {"coach": coach.pk}, **JSON)
        assert response.status_code == 401

    def test_errors_come_back_as_json_with_code(self, client, offer):
        coach, session_type, day = offer
        client.force_login(UserFactory())
        response = client.post(
            reverse("bookings:create"),
            {
                "coach": coach.pk,
                "session_type": session_type.pk,
                "start": at(day, 10, 5).isoformat(),
                "duration": 60,
            },
            **JSON,
        )
        assert response.status_code == 400
        assert (
            response.json()["code"] == "invalid_time"
            and "quarter hour" in response.json()["message"]
        )
        assert not Booking.objects.exists()

    def test_too_many_unpaid_bookings_code(self, client, offer):
        coach, session_type, day = offer
        user = UserFactory()
        for hour in (9, 10, 11):
            BookingFactory(
                coach=coach,
                session_type=session_type,
                client=user,
                status=Booking.Status.PAYMENT_PENDING,
                start=at(day, hour),
                end=at(day, hour) + dt.timedelta(hours=1),
            )
        client.force_login(user)
        response = client.post(
            reverse("bookings:create"),
            {
                "coach": coach.pk,
                "session_type": session_type.pk,
                "start": at(day, 15).isoformat(),
                "duration": 60,
            },
            **JSON,
        )
        assert response.status_code == 400 and response.json()["code"] == "TOO_MANY_UNPAID_BOOKINGS"

    def test_html_post_of_a_free_booking_redirects_to_it(self, client, offer):
        coach, session_type, day = offer
        Coach.objects.filter(pk=coach.pk).update(hourly_rate=0)
        client.force_login(UserFactory())
        response = client.post(
            reverse("bookings:create"),
            {
                "coach": coach.pk,
                "session_type": session_type.pk,
                "start": at(day, 10).isoformat(),
                "duration": 60,
            },
        )
        booking = Booking.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/bookings/{booking.pk}/"
        page = client.get(response["Location"])
        assert "Confirmed" in page.content.decode()


class TestCalendar:
    def test_public_calendar_shows_free_time_and_others_bookings_only_as_busy(self, client, offer):
        coach, session_type, day = offer
        other = UserFactory(first_name="Secretive", last_name="Person")
        BookingFactory(
            coach=coach,
            session_type=session_type,
            client=other,
            start=at(day, 12),
            end=at(day, 13),
            title="Private topic",
        )
        client.force_login(UserFactory())
        html = client.get(
            reverse("bookings:calendar", args=[coach.pk]), {"week": day.isoformat()}
        ).content.decode()
        assert "Available" in html and "Busy" in html
        assert "Secretive" not in html and "Private topic" not in html
        assert f"/coaches/{coach.pk}/book/?date={day.isoformat()}" in html

    def test_the_week_shows_each_entrys_local_times_links_and_the_owners_remove_forms(
        self, client, offer
    ):
        coach, session_type, day = offer
        slot = coach.availability.get()
        mine = BookingFactory(
            coach=coach, session_type=session_type, start=at(day, 12), end=at(day, 13)
        )
        client.force_login(mine.client)
        week = {"week": day.isoformat()}
        html = client.get(reverse("bookings:calendar", args=[coach.pk]), week).content.decode()
        assert f'aria-label="{day:%A} {day.day} {day:%B}"' in html
        assert f'<h3 class="day-head">{day:%a} <span>{day.day} {day:%b}</span></h3>' in html
        assert (
            f'<a href="/bookings/{mine.pk}/" class="entry-link">\n'
            '            <span class="entry-time">12:00–13:00</span>'
        ) in html

        client.force_login(coach.user)
        html = client.get(reverse("bookings:calendar", args=[coach.pk]), week).content.decode()
        remove = reverse("bookings:availability_remove", args=[slot.pk])
        assert f'<form method="post" action="{remove}" class="inline-form">' in html
        assert f'aria-label="Remove availability {day:%a} 09:00–20:00">Remove</button>' in html

    def test_coach_sees_client_names_on_their_own_calendar(self, client, offer):
        coach, session_type, day = offer
        BookingFactory(
            coach=coach,
            session_type=session_type,
            client=UserFactory(first_name="Visible"),
            start=at(day, 12),
            end=at(day, 13),
        )
        client.force_login(coach.user)
        html = client.get(
            reverse("bookings:calendar", args=[coach.pk]), {"week": day.isoformat()}
        ).content.decode()
        assert "Visible" in html and "Add weekly availability" in html

    def test_calendar_json(self, client, offer):
        coach, _, day = offer
        body = client.get(
            reverse("bookings:calendar", args=[coach.pk]), {"week": day.isoformat()}, **JSON
        ).json()
        monday = body["days"][0]
        assert body["week"] == day.isoformat() and monday["entries"][0]["kind"] == "free"

    def test_empty_week_points_to_the_next_free_time(self, client, offer):
        coach, _, day = offer
        empty_week = day - dt.timedelta(days=7)
        client.force_login(UserFactory())
        url = reverse("bookings:calendar", args=[coach.pk])
        html = client.get(url, {"week": empty_week.isoformat()}).content.decode()
        assert "Nothing free this week" in html and f"?week={day.isoformat()}" in html
        body = client.get(url, {"week": empty_week.isoformat()}, **JSON).json()
        assert body["next_free"] == at(day, 9).isoformat()

    def test_week_with_free_time_has_no_next_free_hint(self, client, offer):
        coach, _, day = offer
        client.force_login(UserFactory())
        url = reverse("bookings:calendar", args=[coach.pk])
        html = client.get(url, {"week": day.isoformat()}).content.decode()
        assert "Nothing free this week" not in html

    def test_private_calendar_shows_nothing(self, client, offer):
        coach, _, day = offer
        Coach.objects.filter(pk=coach.pk).update(calendar_visibility="private")
        client.force_login(UserFactory())
        html = client.get(
            reverse("bookings:calendar", args=[coach.pk]), {"week": day.isoformat()}
        ).content.decode()
        assert "private" in html and "Available" not in html

    def test_blocked_user_gets_403_and_sees_nothing(self, client, offer):
        coach, _, day = offer
        user = UserFactory()
        Block.objects.create(blocker=coach.user, blocked=user)
        client.force_login(user)
        response = client.get(
            reverse("bookings:calendar", args=[coach.pk]), {"week": day.isoformat()}
        )
        assert response.status_code == 403 and "Available" not in response.content.decode()

    def test_connected_only_calendar_opens_after_the_coach_accepts_the_connection(
        self, client, offer
    ):
        coach, _, day = offer
        Coach.objects.filter(pk=coach.pk).update(calendar_visibility="connected")
        user = UserFactory()
        client.force_login(user)
        url = reverse("bookings:calendar", args=[coach.pk])
        assert "Available" not in client.get(url, {"week": day.isoformat()}).content.decode()
        client.post(reverse("bookings:connect", args=[coach.pk]))
        connection = Connection.objects.get(client=user, coach=coach)
        client.force_login(coach.user)
        assert "Accept" in client.get(reverse("bookings:coach_requests")).content.decode()
        client.post(reverse("bookings:connection_answer", args=[connection.pk, "accept"]))
        client.force_login(user)
        assert "Available" in client.get(url, {"week": day.isoformat()}).content.decode()


class TestBookingModal:
    def test_modal_lists_start_times_and_the_price_of_the_chosen_one(self, client, offer):
        coach, session_type, day = offer
        client.force_login(UserFactory())
        url = reverse("bookings:book", args=[coach.pk])
        html = client.get(
            url, {"date": day.isoformat(), "duration": 60}, HTTP_HX_REQUEST="true"
        ).content.decode()
        assert (
            'class="modal"' in html
            and at(day, 9).isoformat() in html
            and at(day, 19).isoformat() in html
        )
        assert at(day, 19, 15).isoformat() not in html  # a 60 min session must end by 20:00
        html = client.get(
            url,
            {"date": day.isoformat(), "duration": 90, "start": at(day, 10).isoformat()},
            HTTP_HX_REQUEST="true",
            HTTP_HX_TARGET="booking-panel",
        ).content.decode()
        assert 'class="modal"' not in html and "CHF 225.00" in html

    def test_applying_a_code_changes_the_price_and_a_bad_code_says_why(self, client, offer):
        coach, session_type, day = offer
        DiscountCodeFactory(coach=coach)
        client.force_login(UserFactory())
        url = reverse("bookings:book", args=[coach.pk])
        params = {"date": day.isoformat(), "duration": 60, "start": at(day, 10).isoformat()}
        assert "CHF 135.00" in client.get(url, {**params, "code": "WELCOME10"}).content.decode()
        html = client.get(url, {**params, "code": "WRONG"}).content.decode()
        assert "does not exist" in html and "CHF 150.00" in html

    def test_start_times_json(self, client, offer):
        coach, session_type, day = offer
        body = client.get(
            reverse("bookings:start_times", args=[coach.pk]),
            {"session_type": session_type.pk, "date": day.isoformat(), "duration": 120},
        ).json()
        assert (
            body["starts"][0] == at(day, 9).isoformat()
            and body["starts"][-1] == at(day, 18).isoformat()
        )


def _request_for(coach, session_type, day):
    Coach.objects.filter(pk=coach.pk).update(hourly_rate=0)
    AvailabilitySlotFactory(
        coach=coach,
        start=at(day + dt.timedelta(days=1), 9),
        end=at(day + dt.timedelta(days=1), 12),
        instant_booking=False,
    )
    return booking_create(
        client=UserFactory(),
        coach_id=coach.pk,
        session_type_id=session_type.pk,
        start=at(day + dt.timedelta(days=1), 10),
        duration=60,
    ).booking


class TestActionsOverHttp:
    def test_coach_accepts_from_the_inbox(self, client, offer):
        coach, session_type, day = offer
        booking = _request_for(coach, session_type, day)
        client.force_login(coach.user)
        inbox = client.get(reverse("bookings:coach_requests")).content.decode()
        assert f'id="request-{booking.pk}"' in inbox
        response = client.post(
            reverse("bookings:accept", args=[booking.pk]), {"next": "/coach/requests/"}
        )
        assert response.status_code == 302
        booking.refresh_from_db()
        assert booking.status == Booking.Status.CONFIRMED

    def test_accepting_someone_elses_request_is_403(self, client, offer):
        coach, session_type, day = offer
        booking = _request_for(coach, session_type, day)
        client.force_login(CoachFactory().user)
        response = client.post(reverse("bookings:accept", args=[booking.pk]), **JSON)
        assert response.status_code == 403
        booking.refresh_from_db()
        assert booking.status == Booking.Status.REQUESTED

    def test_double_accept_is_409(self, client, offer):
        coach, session_type, day = offer
        booking = _request_for(coach, session_type, day)
        client.force_login(coach.user)
        assert client.post(reverse("bookings:accept", args=[booking.pk]), **JSON).status_code == 200
        response = client.post(reverse("bookings:accept", args=[booking.pk]), **JSON)
        assert response.status_code == 409 and "confirmed" in response.json()["message"]

    def test_suggest_with_form_fields_in_the_coachs_zone(self, client, offer):
        coach, session_type, day = offer
        booking = _request_for(coach, session_type, day)
        client.force_login(coach.user)
        tuesday = day + dt.timedelta(days=2)
        response = client.post(
            reverse("bookings:suggest", args=[booking.pk]),
            {
                "suggest_date_1": tuesday.isoformat(),
                "suggest_time_1": "14:00",
                "message": "Better?",
            },
            **JSON,
        )
        assert response.status_code == 200, response.content
        assert response.json()["suggested_times"][0]["start"] == at(tuesday, 14).isoformat()

    def test_cancel_page_shows_the_refund_before_confirming(self, client, offer):
        coach, session_type, day = offer
        booking = BookingFactory(
            coach=coach, session_type=session_type, start=at(day, 10), end=at(day, 11)
        )
        client.force_login(booking.client)
        html = client.get(reverse("bookings:cancel", args=[booking.pk])).content.decode()
        assert "No refund applies" in html or "Refund" in html
        body = client.get(reverse("bookings:cancel", args=[booking.pk]), **JSON).json()
        assert body["refund_percent"] == 100

    def test_cancelling_twice_is_409(self, client, offer):
        coach, session_type, day = offer
        booking = BookingFactory(
            coach=coach, session_type=session_type, start=at(day, 10), end=at(day, 11)
        )
        client.force_login(booking.client)
        assert client.post(reverse("bookings:cancel", args=[booking.pk]), **JSON).status_code == 200
        assert client.post(reverse("bookings:cancel", args=[booking.pk]), **JSON).status_code == 409

    def test_inbox_and_dashboard_are_for_coaches(self, client):
        client.force_login(UserFactory())
        assert client.get(reverse("bookings:coach_requests")).status_code == 403
        assert client.get(reverse("core:coach_dashboard")).status_code == 403


def test_dashboard_shows_today_upcoming_and_earnings(client, offer):
    coach, session_type, day = offer
    BookingFactory(
        coach=coach,
        session_type=session_type,
        client=UserFactory(first_name="Upcoming"),
        start=at(day, 10),
        end=at(day, 11),
    )
    client.force_login(coach.user)
    html = client.get(reverse("core:coach_dashboard")).content.decode()
    assert "Upcoming" in html and "Earnings this month" in html


def test_dashboard_counts_open_requests_in_the_elements_the_live_push_replaces(client, offer):
    coach, session_type, day = offer
    for hour in (10, 12):
        BookingFactory(
            coach=coach,
            session_type=session_type,
            start=at(day, hour),
            end=at(day, hour + 1),
            status=Booking.Status.REQUESTED,
            booking_type=Booking.Type.REQUEST,
        )
    client.force_login(coach.user)
    html = client.get(reverse("core:coach_dashboard")).content.decode()
    stat = '<p id="coach-open-requests" class="stat-value" data-testid="open-requests">2</p>'
    assert stat in html
    assert '<span id="coach-open-requests-badge"><span class="badge badge-warn">2</span>' in html


def test_confirming_panel_polls_only_while_the_live_stream_is_closed(client):
    from payments.tests.factories import PaymentFactory

    booking = BookingFactory(status=Booking.Status.PAYMENT_PENDING)
    booking.payment = PaymentFactory(
        payer=booking.client, coach=booking.coach, stripe_payment_intent_id="pi_test_confirming"
    )
    booking.save(update_fields=["payment"])
    client.force_login(booking.client)

    html = client.get(reverse("bookings:status", args=[booking.pk])).content.decode()

    assert "Confirming your payment" in html
    assert f'id="booking-{booking.pk}-panel"' in html
    # The poller: an inner element without an id, every 2 s only without the live stream (the
    # push brings the outcome), every 10 s regardless (a push overtaken by this very response).
    poller = f'<div hx-get="/bookings/{booking.pk}/status/" '
    poller += 'hx-trigger="offline-poll from:body, every 10s"'
    assert poller in html


def test_admin_shows_a_coach_only_their_own_session_types(client):
    mine, _ = coach_with_offer(name="Mine")
    coach_with_offer(name="Theirs")
    client.force_login(mine.user)
    html = client.get("/admin/bookings/sessiontype/").content.decode()
    assert "Mine" in html and "Theirs" not in html
    theirs = SessionType.objects.get(name="Theirs")
    response = client.get(f"/admin/bookings/sessiontype/{theirs.pk}/change/")
    assert_admin_says_does_not_exist(client, response)


def test_admin_weekly_series_generates_slots(client):
    coach = CoachFactory()
    client.force_login(coach.user)
    first = future_weekday(0)
    response = client.post(
        "/admin/bookings/availabilityseries/add/",
        {
            "weekdays": "[0, 2]",
            "start_time": "09:00",
            "end_time": "12:00",
            "first_date": first.isoformat(),
            "last_date": (first + dt.timedelta(days=13)).isoformat(),
            "instant_booking": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert coach.availability.count() == 4
    assert Decimal(coach.hourly_rate) == Decimal("150.00")


def test_my_bookings_lists_sessions_next_to_webinars(client, offer):
    coach, session_type, day = offer
    user = UserFactory()
    BookingFactory(
        coach=coach,
        session_type=session_type,
        client=user,
        start=at(day, 10),
        end=at(day, 11),
        title="Career talk",
    )
    BookingFactory(
        coach=coach,
        session_type=session_type,
        client=user,
        start=at(day, 12),
        end=at(day, 13),
        status=Booking.Status.CANCELLED_BY_CLIENT,
        title="Old plan",
    )
    client.force_login(user)
    html = client.get("/bookings/mine/").content.decode()
    assert "1:1 sessions" in html and "Career talk" in html and "Old plan" in html
    assert html.index("Career talk") < html.index("Past and cancelled") < html.index("Old plan")


def test_my_bookings_sessions_query_count_does_not_grow(
    client, offer, django_assert_max_num_queries
):
    coach, session_type, day = offer
    user = UserFactory()
    client.force_login(user)
    BookingFactory(
        coach=coach, session_type=session_type, client=user, start=at(day, 9), end=at(day, 10)
    )
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get("/bookings/mine/")
    for hour in (11, 13, 15, 17):
        BookingFactory(
            coach=coach,
            session_type=session_type,
            client=user,
            start=at(day, hour),
            end=at(day, hour) + dt.timedelta(hours=1),
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get("/bookings/mine/")


def test_a_coach_cannot_change_their_platform_fee_in_the_admin(client):
    coach = CoachFactory()
    client.force_login(coach.user)
    html = client.get(f"/admin/accounts/coach/{coach.pk}/change/").content.decode()
    assert 'name="vat_included"' in html and 'name="platform_fee_percent"' not in html


def test_booking_pages_render_for_each_side_and_state(client, offer):
    coach, session_type, day = offer
    booking = _request_for(coach, session_type, day)
    client.force_login(coach.user)
    page = client.get(booking.get_absolute_url()).content.decode()
    assert "Answer the request" in page and "Suggest other times" in page
    client.post(
        reverse("bookings:suggest", args=[booking.pk]), {"times": [at(day, 15).isoformat()]}
    )
    client.force_login(booking.client)
    page = client.get(booking.get_absolute_url()).content.decode()
    assert "suggested other times" in page and "Confirm this time" in page
    suggestion = booking.suggested_times.get()
    client.post(reverse("bookings:pick", args=[booking.pk]), {"suggestion": suggestion.pk})
    page = client.get(booking.get_absolute_url()).content.decode()
    assert "Move to another time" in page and "Cancel session" in page
    assert (
        "Free times on"
        in client.get(reverse("bookings:reschedule", args=[booking.pk])).content.decode()
    )
    fragment = client.get(
        reverse("bookings:cancel", args=[booking.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Cancel the session" in fragment and "<html" not in fragment
    client.force_login(coach.user)
    assert "Upcoming" in client.get(reverse("core:coach_dashboard")).content.decode()


def test_quote_fragment_for_htmx(client, offer):
    coach, session_type, day = offer
    html = client.get(
        reverse("bookings:quote"),
        {
            "coach": coach.pk,
            "session_type": session_type.pk,
            "start": at(day, 10).isoformat(),
            "duration": 60,
        },
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert 'id="price"' in html and "CHF 150.00" in html and "<html" not in html


def test_create_accepts_a_json_body(client, offer, localstripe):
    import json

    coach, session_type, day = offer
    client.force_login(UserFactory())
    response = client.post(
        reverse("bookings:create"),
        data=json.dumps(
            {
                "coach": coach.pk,
                "session_type": session_type.pk,
                "start": at(day, 10).isoformat(),
                "duration": 60,
                "code": "",
                "amount": "0.01",
            }
        ),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) >= {"booking_id", "status", "type", "client_secret", "amount", "currency"}
    assert body["amount"] == "150.00" and body["type"] == "FIRM"
