"""What Calendly's events do to our calendar, driven by signed recorded payloads
(fixtures/calendly/, shaped as Calendly documents them) posted to our webhook."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from accounts.tests.factories import UserFactory
from bookings.errors import SlotUnavailable
from bookings.models import AvailabilitySlot, Booking
from bookings.services.booking_create import booking_create
from bookings.tests.factories import BookingFactory, SessionTypeFactory
from integrations.models import CalendlyLead, CalendlyWebhookEvent
from integrations.tests.conftest import recorded
from integrations.tests.helpers import for_connection, post_signed
from notifications.models import Notification
from notifications.types import NotificationType

pytestmark = pytest.mark.django_db

START = dt.datetime(2027, 1, 15, 10, 0, tzinfo=dt.UTC)
MOVED_TO = dt.datetime(2027, 1, 16, 14, 0, tzinfo=dt.UTC)
BookingStatus = Booking.Status


@pytest.fixture
def deliver(client, connected, committed):
    """deliver("invitee_created", ...) posts each recorded envelope, signed, and checks 2xx."""

    def _deliver(*names, edit=None):
        for name in names:
            envelope = for_connection(recorded(name), connected)
            if edit:
                edit(envelope)
            with committed():
                response = post_signed(client, connected, envelope)
            assert response.status_code == 200, response.content

    return _deliver


def types_sent(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("type", flat=True))


def test_invitee_created_makes_a_confirmed_calendly_booking_with_calendlys_facts(
    deliver, connected
):
    deliver("invitee_created")

    booking = Booking.objects.get()
    assert booking.coach == connected.coach
    assert booking.source == Booking.Source.CALENDLY
    assert booking.status == BookingStatus.CONFIRMED
    assert (booking.start, booking.end) == (START, START + dt.timedelta(minutes=15))
    assert (booking.guest_name, booking.guest_email) == ("John Doe", "test@example.com")
    assert booking.client is None
    assert booking.timezone == "America/New_York"
    assert booking.title == "15 Minute Meeting"
    assert booking.amount_total == 0
    assert booking.meeting_url == "https://calendly.zoom.us/j/123456789"
    facts = booking.calendly
    assert facts.questions_and_answers[0]["answer"] == "radio button answer"
    assert facts.cancel_url == "https://calendly.com/cancellations/AAAAAAAAAAAAAAAA"
    assert facts.reschedule_url == "https://calendly.com/reschedulings/AAAAAAAAAAAAAAAA"
    assert facts.payment["amount"] == 1234.56 and facts.payment["currency"] == "USD"
    assert facts.tracking["utm_source"] == "newsletter"
    # A hidden session type mirrors the Calendly event type: never bookable on our site.
    assert booking.session_type.name == "15 Minute Meeting"
    assert booking.session_type.is_active is False


def test_the_coach_is_told_with_calendlys_links_and_no_calendar_invite(deliver, connected):
    deliver("invitee_created")

    assert types_sent(connected.coach.user) == [NotificationType.CALENDLY_BOOKING_CREATED]
    [email] = [m for m in mail.outbox if connected.coach.user.email in m.to]
    text = email.body
    assert "John Doe" in text
    assert "https://calendly.com/reschedulings/AAAAAAAAAAAAAAAA" in text
    assert "https://calendly.com/cancellations/AAAAAAAAAAAAAAAA" in text
    assert not [a for a in email.attachments if "calendar" in str(a)]
    assert not any("text/calendar" in str(alt) for alt in getattr(email, "alternatives", []))


def test_a_calendly_booking_makes_its_time_unbookable_here(deliver, connected):
    coach = connected.coach
    session_type = SessionTypeFactory(coach=coach, min_notice_hours=0)
    AvailabilitySlot.objects.create(
        coach=coach, start=START - dt.timedelta(hours=1), end=START + dt.timedelta(hours=2)
    )

    deliver("invitee_created")

    with pytest.raises(SlotUnavailable):
        booking_create(
            client=UserFactory(),
            coach_id=coach.pk,
            session_type_id=session_type.pk,
            start=START,
            duration=30,
        )
    # Its time was carved out of the availability, like any booking's.
    pieces = sorted((s.start, s.end) for s in AvailabilitySlot.objects.filter(coach=coach))
    assert pieces == [
        (START - dt.timedelta(hours=1), START),
        (START + dt.timedelta(minutes=15), START + dt.timedelta(hours=2)),
    ]


def test_an_invitee_with_a_verified_account_sees_it_in_my_bookings(deliver, client):
    member = UserFactory(email="Test@Example.com", email_verified_at=timezone.now())

    deliver("invitee_created")

    booking = Booking.objects.get()
    assert booking.client == member
    client.force_login(member)
    page = client.get("/bookings/mine/").content.decode()
    assert "15 Minute Meeting" in page
    assert NotificationType.CALENDLY_BOOKING_CREATED in types_sent(member)


def test_an_unverified_account_with_that_email_is_not_attached(deliver):
    UserFactory(email="test@example.com", email_verified_at=None)

    deliver("invitee_created")

    booking = Booking.objects.get()
    assert booking.client is None
    assert booking.guest_email == "test@example.com"


def test_the_coachs_dashboard_and_booking_page_show_the_calendly_booking(
    deliver, connected, client
):
    deliver("invitee_created")
    booking = Booking.objects.get()
    client.force_login(connected.coach.user)

    detail = client.get(booking.get_absolute_url())

    assert detail.status_code == 200
    page = detail.content.decode()
    assert "John Doe" in page
    assert "https://calendly.com/reschedulings/AAAAAAAAAAAAAAAA" in page
    dashboard = client.get("/coach/dashboard/")
    assert dashboard.status_code == 200
    assert "John Doe" in dashboard.content.decode()
    week = booking.start.date().isoformat()
    calendar = client.get(f"/coaches/{connected.coach.pk}/calendar/?week={week}")
    assert calendar.status_code == 200
    assert "John Doe" in calendar.content.decode()


def test_invitee_cancels_cancelled_by_client_with_reason_and_time_given_back(deliver, connected):
    AvailabilitySlot.objects.create(
        coach=connected.coach, start=START, end=START + dt.timedelta(hours=1)
    )
    deliver("invitee_created", "invitee_canceled")

    booking = Booking.objects.get()
    assert booking.status == BookingStatus.CANCELLED_BY_CLIENT
    assert booking.client_message == "Something came up"
    assert booking.calendly.cancellation["canceler_type"] == "invitee"
    slots = AvailabilitySlot.objects.filter(coach=connected.coach)
    assert [(s.start, s.end) for s in slots] == [(START, START + dt.timedelta(hours=1))]
    assert NotificationType.CALENDLY_BOOKING_CANCELLED in types_sent(connected.coach.user)


def test_host_cancels_cancelled_by_coach(deliver):
    deliver("invitee_created", "invitee_canceled_by_host")

    booking = Booking.objects.get()
    assert booking.status == BookingStatus.CANCELLED_BY_COACH
    assert booking.coach_message == "I am ill"


@pytest.mark.parametrize(
    "order",
    [
        ("invitee_created", "invitee_canceled_rescheduled", "invitee_created_rescheduled"),
        ("invitee_created", "invitee_created_rescheduled", "invitee_canceled_rescheduled"),
    ],
    ids=["cancel-first", "create-first"],
)
def test_a_reschedule_pair_moves_the_one_booking_without_a_cancellation(deliver, connected, order):
    deliver(*order)

    booking = Booking.objects.get()
    assert booking.status == BookingStatus.CONFIRMED
    assert (booking.start, booking.end) == (MOVED_TO, MOVED_TO + dt.timedelta(minutes=15))
    assert booking.calendly.invitee_uri.endswith("/invitees/BBBBBBBBBBBBBBBB")
    assert booking.calendly.reschedule_url.endswith("/BBBBBBBBBBBBBBBB")
    sent = types_sent(connected.coach.user)
    assert NotificationType.CALENDLY_BOOKING_CANCELLED not in sent
    assert sent.count(NotificationType.CALENDLY_BOOKING_RESCHEDULED) == 1
    assert not [m for m in mail.outbox if "cancel" in m.subject.lower()]


def test_cancel_before_create_ends_cancelled_with_one_booking(deliver, connected):
    deliver("invitee_canceled", "invitee_created")

    booking = Booking.objects.get()
    assert booking.status == BookingStatus.CANCELLED_BY_CLIENT
    assert booking.start == START
    assert NotificationType.CALENDLY_BOOKING_CREATED not in types_sent(connected.coach.user)
    assert list(CalendlyWebhookEvent.objects.values_list("status", flat=True)) == [
        "processed",
        "processed",
    ]


def test_no_show_is_marked_and_cleared(deliver):
    deliver("invitee_created", "invitee_no_show_created")
    booking = Booking.objects.get()
    assert booking.no_show_marked_at is not None

    deliver("invitee_no_show_deleted")
    booking.refresh_from_db()
    assert booking.no_show_marked_at is None


def test_a_calendly_booking_overlapping_ours_is_stored_and_flagged(deliver, connected):
    ours = BookingFactory(coach=connected.coach, start=START - dt.timedelta(minutes=30))

    deliver("invitee_created")

    theirs = Booking.objects.exclude(pk=ours.pk).get()
    assert theirs.status == BookingStatus.CONFLICT
    assert theirs.calendly.overlaps is True
    ours.refresh_from_db()
    assert ours.status == BookingStatus.CONFIRMED
    assert NotificationType.CALENDLY_BOOKING_CONFLICT in types_sent(connected.coach.user)


def test_routing_form_submission_is_a_lead_listed_for_the_coach(deliver, connected, client):
    deliver("routing_form_submission_created")

    lead = CalendlyLead.objects.get()
    assert (lead.submitter_name, lead.submitter_email) == ("Lee Lead", "lead@example.com")
    client.force_login(connected.coach.user)
    page = client.get("/coach/integrations/").content.decode()
    assert "Lee Lead" in page and "IT &amp; Software" in page


def test_unknown_event_types_are_acknowledged_and_ignored(deliver):
    def rename(envelope):
        envelope["event"] = "invitee.something_new"

    deliver("invitee_created", edit=rename)

    assert not Booking.objects.exists()
    assert CalendlyWebhookEvent.objects.get().status == "ignored"


def test_an_organization_event_of_another_calendly_user_is_ignored(deliver):
    def someone_else(envelope):
        envelope["payload"]["scheduled_event"]["event_memberships"][0]["user"] = (
            "https://api.calendly.com/users/SOMEONEELSE00000"
        )

    deliver("invitee_created", edit=someone_else)

    assert not Booking.objects.exists()
    assert CalendlyWebhookEvent.objects.get().status == "ignored"


def test_a_signed_event_with_unreadable_times_is_acknowledged_and_ignored(deliver):
    def break_times(envelope):
        envelope["payload"]["scheduled_event"]["start_time"] = "tomorrow-ish"

    deliver("invitee_created", edit=break_times)

    assert not Booking.objects.exists()
    assert CalendlyWebhookEvent.objects.get().status == "ignored"


def test_an_invitee_without_an_email_is_still_stored(deliver):
    def no_email(envelope):
        envelope["payload"]["email"] = None

    deliver("invitee_created", edit=no_email)

    booking = Booking.objects.get()
    assert booking.guest_name == "John Doe"
    assert booking.guest_email == "invitee-aaaaaaaaaaaaaaaa@calendly.invalid"
