"""Guest booking of free sessions (issue 17 #3): a visitor without an account books a free
session with name and email through `POST /bookings/guest/`, gets an email with a signed link
to view, cancel or move it, and can add it to their account only while logged in with the
same verified address. Paid sessions, guests switched off and refused addresses: 400."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.core import mail, signing
from django.utils import timezone

from accounts.models import Block
from accounts.tests.factories import UserFactory
from bookings import guest_links
from bookings.errors import SlotUnavailable
from bookings.models import Booking, SessionType
from bookings.services.booking_create import booking_create
from bookings.tests.factories import AvailabilitySlotFactory, at, coach_with_offer, future_weekday
from notifications.models import EmailSuppression, Notification, OutboundEmail

pytestmark = pytest.mark.django_db
URL = "/bookings/guest/"


@pytest.fixture
def intro():
    """A coach (CHF 150/h) with a free "Intro call" (price factor 0) and a paid coaching type,
    both instantly bookable on Monday 09-17 two weeks ahead."""
    coach, paid = coach_with_offer(name="1:1 Coaching")
    free = SessionType.objects.create(
        coach=coach,
        name="Intro call",
        price_factor=Decimal("0"),
        duration_default=30,
        duration_min=30,
        duration_max=30,
        duration_step=15,
        buffer_before_minutes=0,
        buffer_after_minutes=0,
        require_approval_non_connected=False,
        full_refund_hours=24,
        partial_refund_hours=12,
    )
    day = future_weekday(0)
    AvailabilitySlotFactory(coach=coach, start=at(day, 9), end=at(day, 17), instant_booking=True)
    return coach, free, paid, day


def _post(
    client,
    coach,
    session_type,
    start,
    *,
    name="Gina Guest",
    email="gina@example.org",
    duration=30,
    as_json=True,
    REMOTE_ADDR="127.0.0.1",  # noqa: N803 - the WSGI key
    **fields,
):
    data = {
        "coach": coach.pk,
        "session_type": session_type.pk,
        "start": start.isoformat(),
        "duration": duration,
        "name": name,
        "email": email,
        **fields,
    }
    if as_json:
        return client.post(
            URL,
            json.dumps(data),
            content_type="application/json",
            HTTP_ACCEPT="application/json",
            REMOTE_ADDR=REMOTE_ADDR,
        )
    return client.post(URL, data, REMOTE_ADDR=REMOTE_ADDR)


def _manage_path(message) -> str:
    match = re.search(r"(/bookings/guest/[^\s\"<>/]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_guest_books_a_free_session_and_the_time_is_taken_for_a_logged_in_client(
    client, intro, committed
):
    coach, free, paid, day = intro
    with committed():
        response = _post(client, coach, free, at(day, 10))
    assert response.status_code == 201, response.content
    body = response.json()
    booking = Booking.objects.get(pk=body["booking_id"])
    assert body["status"] == booking.status == Booking.Status.CONFIRMED
    assert booking.client is None
    assert (booking.guest_name, booking.guest_email) == ("Gina Guest", "gina@example.org")
    assert booking.source == Booking.Source.GUEST
    assert booking.amount_total == Decimal("0.00")

    # The guest's confirmation went to the typed address, with the signed link and an invite.
    guest_mail = [m for m in mail.outbox if m.to == ["gina@example.org"]]
    assert len(guest_mail) == 1
    assert "/bookings/guest/" in guest_mail[0].body
    assert any(a[0] == "invite.ics" for a in guest_mail[0].attachments)
    row = OutboundEmail.objects.get(to_email="gina@example.org")
    assert row.recipient is None and row.status == OutboundEmail.Status.SENT
    # The coach got the usual new-booking notice, naming the guest.
    notice = Notification.objects.get(recipient=coach.user)
    assert "Gina Guest" in notice.title

    # The same time is now unbookable for a client with an account.
    other = UserFactory()
    with pytest.raises(SlotUnavailable):
        booking_create(
            client=other,
            coach_id=coach.pk,
            session_type_id=paid.pk,
            start=at(day, 10),
            duration=30,
        )


def test_the_html_form_books_and_shows_where_the_link_went(client, intro, committed):
    coach, free, _, day = intro
    with committed():
        response = _post(client, coach, free, at(day, 11), as_json=False)
    assert response.status_code == 201
    assert "gina@example.org" in response.content.decode()
    assert Booking.objects.filter(guest_email="gina@example.org").count() == 1


def test_booking_page_offers_the_guest_form_for_free_types_only(client, intro):
    coach, free, paid, day = intro
    page = client.get(f"/coaches/{coach.pk}/book/?date={day.isoformat()}").content.decode()
    assert "Book as guest" in page
    assert 'name="email"' in page and 'name="name"' in page
    assert "Intro call" in page
    # The paid type is not offered to guests: the only type the form carries is the free one
    # (checked on the session-type control itself, not on any option of the page: a paid type
    # whose id is 30 would match the "30 min" duration option).
    select = re.search(r'<select[^>]*name="session_type".*?</select>', page, re.S)
    hidden = re.search(r'<input[^>]*name="session_type"[^>]*>', page)
    offered = re.findall(r'value="(\d+)"', (select or hidden).group(0))
    assert offered == [str(free.pk)] and str(paid.pk) not in offered
    assert paid.name not in page


def test_paid_session_type_is_refused_and_nothing_is_written(client, intro):
    coach, _, paid, day = intro
    response = _post(client, coach, paid, at(day, 10), duration=60)
    assert response.status_code == 400
    assert response.json()["code"] == "guest_paid_session"
    assert "session_type" in response.json()["errors"]
    assert not Booking.objects.exists()


def test_a_price_sent_by_the_client_is_ignored(client, intro):
    coach, _, paid, day = intro
    response = _post(client, coach, paid, at(day, 10), duration=60, amount="0.00", price="0")
    assert response.status_code == 400
    assert not Booking.objects.exists()


def test_guest_booking_switched_off_is_refused(client, intro):
    coach, free, _, day = intro
    SessionType.objects.filter(pk=free.pk).update(allow_guest_booking=False)
    response = _post(client, coach, free, at(day, 10))
    assert response.status_code == 400
    assert response.json()["code"] == "guest_booking_off"
    assert not Booking.objects.exists()
    page = client.get(f"/coaches/{coach.pk}/book/").content.decode()
    assert "Book as guest" not in page


def test_suppressed_email_is_refused(client, intro):
    coach, free, _, day = intro
    EmailSuppression.objects.create(email="gina@example.org", reason="bounced")
    response = _post(client, coach, free, at(day, 10), email="Gina@Example.org")
    assert response.status_code == 400
    assert response.json()["errors"]["email"]
    assert not Booking.objects.exists()


def test_email_of_an_account_the_coach_blocked_is_refused(client, intro):
    coach, free, _, day = intro
    blocked = UserFactory(email="blocked@example.org")
    Block.objects.create(blocker=coach.user, blocked=blocked)
    response = _post(client, coach, free, at(day, 10), email="blocked@example.org")
    assert response.status_code == 400
    assert response.json()["code"] == "email_refused"
    assert not Booking.objects.exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"name": ""}, "name"),
        ({"email": "not-an-address"}, "email"),
        ({"start": "tomorrow"}, "start"),
        ({"duration": "long"}, "duration"),
    ],
)
def test_invalid_fields_are_400_with_the_field_named(client, intro, change, field):
    coach, free, _, day = intro
    data = {
        "coach": coach.pk,
        "session_type": free.pk,
        "start": at(day, 10).isoformat(),
        "duration": 30,
        "name": "Gina",
        "email": "gina@example.org",
        **change,
    }
    response = client.post(URL, data, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Booking.objects.exists()


def test_invalid_fields_in_the_html_form_show_the_errors_and_keep_the_input(client, intro):
    coach, free, _, day = intro
    response = _post(client, coach, free, at(day, 10), email="nope", as_json=False)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'aria-invalid="true"' in page and "Gina Guest" in page


def test_time_taken_is_409(client, intro, committed):
    coach, free, _, day = intro
    with committed():
        assert _post(client, coach, free, at(day, 10)).status_code == 201
    response = _post(client, coach, free, at(day, 10), email="other@example.org")
    assert response.status_code == 409
    assert Booking.objects.count() == 1


def test_rate_limited_per_ip(client, intro, settings, committed):
    settings.GUEST_BOOKING_LIMIT_PER_HOUR = 2
    coach, free, _, day = intro
    with committed():
        assert _post(client, coach, free, at(day, 9), email="a@example.org").status_code == 201
        assert _post(client, coach, free, at(day, 10), email="b@example.org").status_code == 201
    response = _post(client, coach, free, at(day, 11), email="c@example.org")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert Booking.objects.count() == 2


def test_rate_limited_per_email_across_addresses(client, intro, settings, committed):
    settings.GUEST_BOOKING_LIMIT_PER_HOUR = 2
    coach, free, _, day = intro
    with committed():
        for n, hour in enumerate((9, 10)):
            response = _post(client, coach, free, at(day, hour), REMOTE_ADDR=f"10.0.0.{n + 1}")
            assert response.status_code == 201
    # A fresh IP address: the email's own counter refuses it (case does not matter).
    response = _post(
        client, coach, free, at(day, 11), email="GINA@example.org", REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 429
    assert response["Retry-After"]
    # Another address from that fresh IP is still fine.
    response = _post(
        client, coach, free, at(day, 12), email="hugo@example.org", REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 201


# --- the signed link -----------------------------------------------------------------------


@pytest.fixture
def booked(client, intro, committed):
    coach, free, _, day = intro
    with committed():
        response = _post(client, coach, free, at(day, 10))
    booking = Booking.objects.get(pk=response.json()["booking_id"])
    message = next(m for m in mail.outbox if m.to == ["gina@example.org"])
    return booking, _manage_path(message), day


def test_the_link_shows_the_booking(client, booked):
    booking, path, _ = booked
    page = client.get(path)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Intro call" in text and "Confirmed" in text and "Cancel this session" in text


def test_the_link_cancels_and_the_coach_is_told(client, booked, committed):
    booking, path, day = booked
    mail.outbox.clear()
    with committed():
        response = client.post(f"{path}cancel/", {"reason": "Something came up"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED_BY_CLIENT
    assert Notification.objects.filter(
        recipient=booking.coach.user, type="booking_cancelled_by_client"
    ).exists()
    guest_mail = [m for m in mail.outbox if m.to == ["gina@example.org"]]
    assert guest_mail and any(a[0] == "cancel.ics" for a in guest_mail[0].attachments)
    # The time is free again.
    assert client.get(f"{path}").status_code == 200
    other = UserFactory()
    booking_create(
        client=other,
        coach_id=booking.coach_id,
        session_type_id=booking.session_type_id,
        start=at(day, 10),
        duration=30,
    )


def test_the_link_reschedules_to_another_free_time(client, booked, committed):
    booking, path, day = booked
    page = client.get(f"{path}?date={day.isoformat()}").content.decode()
    new_start = at(day, 14)
    assert new_start.isoformat() in page
    with committed():
        response = client.post(f"{path}reschedule/", {"start": new_start.isoformat()})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.start == new_start and booking.status == Booking.Status.CONFIRMED
    assert Notification.objects.filter(
        recipient=booking.coach.user, type="booking_rescheduled"
    ).exists()


def test_reschedule_to_a_taken_time_is_refused(client, booked, intro, committed):
    booking, path, day = booked
    coach, free, _, _ = intro
    with committed():
        _post(client, coach, free, at(day, 14), email="other@example.org")
    response = client.post(f"{path}reschedule/", {"start": at(day, 14).isoformat()})
    # booking_reschedule's answer: that time is no longer free availability.
    assert response.status_code == 400
    assert "not available" in response.content.decode()
    booking.refresh_from_db()
    assert booking.start == at(day, 10)


def test_a_tampered_link_is_404(client, booked):
    booking, path, _ = booked
    token = path.rstrip("/").rsplit("/", 1)[1]
    forged = signing.dumps({"b": booking.pk + 1, "e": "x"}, salt="another-salt")
    assert client.get(f"/bookings/guest/{token[:-2]}xx/").status_code == 404
    assert client.get(f"/bookings/guest/{forged}/").status_code == 404
    assert client.post(f"/bookings/guest/{token[:-2]}xx/cancel/").status_code == 404
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_a_link_for_another_booking_does_not_open_this_one(client, booked, intro, committed):
    booking, path, day = booked
    coach, free, _, _ = intro
    with committed():
        other = Booking.objects.get(
            pk=_post(client, coach, free, at(day, 15), email="o@example.org").json()["booking_id"]
        )
    # A token naming this booking's id with the other guest's address digest: refused.
    claims = guest_links.read_token(guest_links.make_token(other))
    forged = signing.dumps({"b": booking.pk, "e": claims["e"]}, salt=guest_links.SALT)
    assert client.get(f"/bookings/guest/{forged}/").status_code == 404


def test_the_link_expires_after_the_session(client, booked):
    booking, path, _ = booked
    Booking.objects.filter(pk=booking.pk).update(
        start=timezone.now() - dt.timedelta(days=3),
        end=timezone.now() - dt.timedelta(days=3) + dt.timedelta(minutes=30),
        status=Booking.Status.COMPLETED,
    )
    assert client.get(path).status_code == 404


# --- claiming ------------------------------------------------------------------------------


def test_claim_needs_login(client, booked):
    booking, path, _ = booked
    response = client.post(f"{path}claim/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    booking.refresh_from_db()
    assert booking.client is None


def test_typed_email_alone_never_attaches_the_booking(client, intro, committed):
    coach, free, _, day = intro
    owner = UserFactory(email="gina@example.org", email_verified_at=timezone.now())
    with committed():
        _post(client, coach, free, at(day, 10))
    booking = Booking.objects.get()
    assert booking.client is None
    client.force_login(owner)
    mine = client.get("/bookings/mine/").content.decode()
    assert "Intro call" not in mine


def test_claim_with_an_unverified_or_other_address_is_refused(client, booked):
    booking, path, _ = booked
    unverified = UserFactory(email="gina@example.org")
    client.force_login(unverified)
    assert client.post(f"{path}claim/").status_code == 403
    other = UserFactory(email="someone@example.org", email_verified_at=timezone.now())
    client.force_login(other)
    assert client.post(f"{path}claim/").status_code == 403
    booking.refresh_from_db()
    assert booking.client is None


def test_claim_with_the_verified_matching_address_moves_it_into_my_bookings(client, booked):
    booking, path, _ = booked
    owner = UserFactory(email="Gina@example.org", email_verified_at=timezone.now())
    client.force_login(owner)
    response = client.post(f"{path}claim/")
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.client == owner
    mine = client.get("/bookings/mine/").content.decode()
    assert "Intro call" in mine
    assert client.get(booking.get_absolute_url()).status_code == 200


def test_coach_sees_the_guest_booking_on_the_calendar_and_booking_page(client, booked):
    booking, _, day = booked
    client.force_login(booking.coach.user)
    calendar = client.get(
        f"/coaches/{booking.coach_id}/calendar/?week={day.isoformat()}"
    ).content.decode()
    assert "Gina Guest" in calendar
    detail = client.get(booking.get_absolute_url()).content.decode()
    assert "Gina Guest" in detail


def test_coach_profile_offers_book_as_guest_for_the_free_type(client, intro):
    coach, free, paid, _ = intro
    page = client.get(f"/coaches/{coach.pk}/", follow=True).content.decode()
    assert f"/coaches/{coach.pk}/book/?session_type={free.pk}" in page
    assert f"/coaches/{coach.pk}/book/?session_type={paid.pk}" not in page
