"""Issue 8 item 5: a coach's webinar slots are busy time for 1:1 booking (start times, quote,
create, reschedule, accept a suggestion), and a webinar slot cannot be scheduled over a 1:1
session. The apps do not import each other: core.busy_time is the registry both use."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.tests.factories import UserFactory
from bookings import selectors
from bookings.errors import SlotUnavailable
from bookings.models import Booking, SuggestedTime
from bookings.services import transitions
from bookings.services.booking_create import booking_create
from bookings.tests.factories import (
    AvailabilitySlotFactory,
    BookingFactory,
    at,
    coach_with_offer,
    future_weekday,
)
from webinars.models import Webinar, WebinarSlot
from webinars.tests.factories import WebinarFactory

pytestmark = pytest.mark.django_db
ZURICH = "Europe/Zurich"


@pytest.fixture
def evening():
    """Availability 09:00-21:00; the coach's own webinar runs 18:00-20:00 the same day."""
    coach, session_type = coach_with_offer()
    day = future_weekday(2, weeks_ahead=3)
    AvailabilitySlotFactory(coach=coach, start=at(day, 9), end=at(day, 21), instant_booking=True)
    webinar = WebinarFactory(coach=coach, slots=False)
    WebinarSlot.objects.create(webinar=webinar, start=at(day, 18), end=at(day, 20))
    return coach, session_type, day, webinar


def _starts(coach, session_type, day):
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    return selectors.bookable_starts(
        coach=coach,
        session_type=session_type,
        day=day,
        duration=60,
        viewer_tz=ZoneInfo(ZURICH),
        now=timezone.now(),
    )


def test_start_times_skip_the_coachs_webinar(client, evening):
    coach, session_type, day, webinar = evening
    starts = _starts(coach, session_type, day)
    assert at(day, 17) in starts and at(day, 20) in starts
    assert not [s for s in starts if at(day, 17) < s < at(day, 20)]
    response = client.get(
        reverse("bookings:start_times", args=[coach.pk]),
        {"session_type": session_type.pk, "date": day.isoformat(), "duration": 60},
    )
    assert response.status_code == 200
    assert at(day, 18).isoformat() not in response.json()["starts"]


def test_a_cancelled_webinar_is_not_busy_time(evening):
    coach, session_type, day, webinar = evening
    Webinar.objects.filter(pk=webinar.pk).update(status=Webinar.Status.CANCELLED)
    assert at(day, 18) in _starts(coach, session_type, day)


def test_quote_for_a_time_inside_the_webinar_is_refused(client, evening):
    coach, session_type, day, webinar = evening
    response = client.get(
        reverse("bookings:quote"),
        {
            "coach": coach.pk,
            "session_type": session_type.pk,
            "start": at(day, 18).isoformat(),
            "duration": 60,
        },
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 409, response.content


def test_booking_over_the_webinar_is_refused(evening, localstripe):
    coach, session_type, day, webinar = evening
    with pytest.raises(SlotUnavailable):
        booking_create(
            client=UserFactory(),
            coach_id=coach.pk,
            session_type_id=session_type.pk,
            start=at(day, 17, 30),
            duration=60,
        )
    assert not Booking.objects.exists()


def test_rescheduling_into_the_webinar_is_refused(evening):
    coach, session_type, day, webinar = evening
    booking = BookingFactory(
        coach=coach, session_type=session_type, start=at(day, 10), end=at(day, 11)
    )
    with pytest.raises(SlotUnavailable):
        transitions.booking_reschedule(
            user=booking.client, booking_id=booking.pk, start=at(day, 18)
        )
    booking.refresh_from_db()
    assert booking.start == at(day, 10)


def test_picking_a_suggestion_that_a_webinar_now_covers_is_refused(evening):
    coach, session_type, day, webinar = evening
    booking = BookingFactory(
        coach=coach,
        session_type=session_type,
        start=at(day, 10),
        end=at(day, 11),
        status=Booking.Status.TIME_SUGGESTED,
        booking_type=Booking.Type.REQUEST,
    )
    suggestion = SuggestedTime.objects.create(booking=booking, start=at(day, 18), end=at(day, 19))
    with pytest.raises(SlotUnavailable):
        transitions.booking_pick_suggestion(
            user=booking.client, booking_id=booking.pk, suggestion_id=suggestion.pk
        )
    booking.refresh_from_db()
    assert booking.status == Booking.Status.TIME_SUGGESTED


def test_a_webinar_slot_cannot_be_scheduled_over_a_confirmed_session():
    coach, session_type = coach_with_offer()
    day = future_weekday(3, weeks_ahead=3)
    BookingFactory(coach=coach, session_type=session_type, start=at(day, 18), end=at(day, 19))
    webinar = WebinarFactory(coach=coach, slots=False)
    slot = WebinarSlot(webinar=webinar, start=at(day, 18, 30), end=at(day, 20))
    with pytest.raises(ValidationError) as caught:
        slot.full_clean()
    assert "1:1 session" in str(caught.value)
    # Next to it is fine; another coach's session is no concern of this webinar.
    WebinarSlot(webinar=webinar, start=at(day, 19), end=at(day, 20)).full_clean()
    other = WebinarFactory(slots=False)
    WebinarSlot(webinar=other, start=at(day, 18), end=at(day, 19)).full_clean()


def test_the_admin_refuses_a_webinar_slot_over_a_session(client):
    coach, session_type = coach_with_offer()
    day = future_weekday(3, weeks_ahead=3)
    BookingFactory(coach=coach, session_type=session_type, start=at(day, 18), end=at(day, 19))
    webinar = WebinarFactory(coach=coach, slots=False)
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    url = reverse("admin:webinars_webinar_change", args=[webinar.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {
        name: (value.pk if hasattr(value, "pk") else value)
        for name, value in form.initial.items()
        if value is not None and name in form.fields
    }
    prefix = next(
        fs.formset.prefix
        for fs in page.context["inline_admin_formsets"]
        if fs.formset.model is WebinarSlot
    )
    local = at(day, 18).astimezone(dt.timezone(dt.timedelta(hours=1)))
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-0-start_0": local.strftime("%Y-%m-%d"),
            f"{prefix}-0-start_1": local.strftime("%H:%M:%S"),
            f"{prefix}-0-end_0": local.strftime("%Y-%m-%d"),
            f"{prefix}-0-end_1": (local + dt.timedelta(hours=2)).strftime("%H:%M:%S"),
        }
    )
    for fs in page.context["inline_admin_formsets"]:
        if fs.formset.model is not WebinarSlot:
            data[f"{fs.formset.prefix}-TOTAL_FORMS"] = "0"
            data[f"{fs.formset.prefix}-INITIAL_FORMS"] = "0"
    response = client.post(url, data)
    assert not WebinarSlot.objects.filter(webinar=webinar).exists()
    assert response.status_code == 200
    assert "1:1 session" in response.content.decode()
