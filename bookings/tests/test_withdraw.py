"""Issue 15 #5: a client withdraws a pending request (or one with suggested times). The card
authorization is cancelled at Stripe (nothing captured), the time goes back on the calendar,
the coach is told; an accepted booking cannot be withdrawn (that is a cancellation)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from bookings.errors import InvalidTransition, NotAllowed
from bookings.models import AvailabilitySlot, Booking
from bookings.services import transitions
from bookings.services.booking_create import booking_create
from bookings.tests.factories import AvailabilitySlotFactory, at, coach_with_offer, future_weekday
from notifications.models import Notification
from payments import gateway
from payments.models import Payment
from payments.services import payment_confirm
from payments.tests.stripe_helpers import saved_card

pytestmark = pytest.mark.django_db
BookingStatus = Booking.Status


def authorized_request():
    """A REQUEST for 60 min (CHF 150), the card authorized, waiting for the coach."""
    coach, session_type = coach_with_offer()
    day = future_weekday(2, weeks_ahead=3)
    AvailabilitySlotFactory(coach=coach, start=at(day, 9), end=at(day, 17), instant_booking=False)
    client = UserFactory()
    started = booking_create(
        client=client,
        coach_id=coach.pk,
        session_type_id=session_type.pk,
        start=at(day, 10),
        duration=60,
    )
    payment_confirm(
        user=client,
        payment_intent_id=started.payment.stripe_payment_intent_id,
        payment_method_id=saved_card(client),
    )
    booking = Booking.objects.get(pk=started.booking.pk)
    assert (
        booking.status == BookingStatus.REQUESTED and booking.booking_type == Booking.Type.REQUEST
    )
    return coach, client, booking, day


def _slots(coach):
    return [
        (s.start, s.end) for s in AvailabilitySlot.objects.filter(coach=coach).order_by("start")
    ]


def _intent_status(booking) -> str:
    payment = Payment.objects.get(pk=booking.payment_id)
    return gateway.payment_intent_retrieve(payment.stripe_payment_intent_id).status


def test_withdrawing_a_request_cancels_the_authorization_frees_the_time_and_tells_the_coach(
    client, localstripe
):
    coach, person, booking, day = authorized_request()
    assert _slots(coach) == [(at(day, 9), at(day, 10)), (at(day, 11), at(day, 17))]
    client.force_login(person)
    response = client.post(reverse("bookings:withdraw", args=[booking.pk]))
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.WITHDRAWN
    payment = Payment.objects.get(pk=booking.payment_id)
    assert payment.status == Payment.Status.CANCELLED and payment.amount_refunded == 0
    assert _intent_status(booking) == "canceled"  # released at Stripe, never captured
    assert _slots(coach) == [(at(day, 9), at(day, 17))]
    note = Notification.objects.get(recipient=coach.user, type="booking_withdrawn")
    assert person.display_name in note.body and "nothing was charged" in note.body
    # The coach's "new request" notice is no longer something to act on.
    assert Notification.objects.get(recipient=coach.user, type="booking_requested").read_at
    # Someone else can book that time now.
    other = booking_create(
        client=UserFactory(),
        coach_id=coach.pk,
        session_type_id=booking.session_type_id,
        start=at(day, 10),
        duration=60,
    )
    assert other.booking.status == BookingStatus.PAYMENT_PENDING


def test_withdrawing_a_request_with_suggested_times(localstripe):
    coach, person, booking, day = authorized_request()
    transitions.booking_suggest(user=coach.user, booking_id=booking.pk, starts=[at(day, 14)])
    transitions.booking_withdraw(user=person, booking_id=booking.pk)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.WITHDRAWN
    assert Payment.objects.get(pk=booking.payment_id).status == Payment.Status.CANCELLED
    assert _slots(coach) == [(at(day, 9), at(day, 17))]  # the suggestion had freed it already


def test_an_accepted_booking_cannot_be_withdrawn(client, localstripe):
    coach, person, booking, _day = authorized_request()
    transitions.booking_accept(user=coach.user, booking_id=booking.pk)
    client.force_login(person)
    response = client.post(
        reverse("bookings:withdraw", args=[booking.pk]), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 409
    assert "Cancel it instead" in response.json()["message"]
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert Payment.objects.get(pk=booking.payment_id).status == Payment.Status.COMPLETED
    with pytest.raises(InvalidTransition):
        transitions.booking_withdraw(user=person, booking_id=booking.pk)


def test_withdrawing_twice_is_a_409_and_the_coach_is_told_once(localstripe):
    coach, person, booking, _day = authorized_request()
    transitions.booking_withdraw(user=person, booking_id=booking.pk)
    with pytest.raises(InvalidTransition):
        transitions.booking_withdraw(user=person, booking_id=booking.pk)
    assert Notification.objects.filter(recipient=coach.user, type="booking_withdrawn").count() == 1


def test_a_stranger_gets_404_and_the_coach_cannot_withdraw(client, localstripe):
    coach, _person, booking, _day = authorized_request()
    client.force_login(UserFactory())
    assert client.post(reverse("bookings:withdraw", args=[booking.pk])).status_code == 404
    with pytest.raises(NotAllowed):
        transitions.booking_withdraw(user=coach.user, booking_id=booking.pk)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.REQUESTED


def test_withdraw_needs_post_and_login(client, localstripe):
    _coach, person, booking, _day = authorized_request()
    url = reverse("bookings:withdraw", args=[booking.pk])
    assert client.post(url).status_code == 302  # to the login page
    client.force_login(person)
    assert client.get(url).status_code == 405
    booking.refresh_from_db()
    assert booking.status == BookingStatus.REQUESTED


def test_the_booking_page_and_my_bookings_offer_withdraw_and_htmx_swaps_the_actions(
    client, localstripe
):
    _coach, person, booking, _day = authorized_request()
    client.force_login(person)
    url = reverse("bookings:withdraw", args=[booking.pk])
    detail = client.get(booking.get_absolute_url()).content.decode()
    assert f'action="{url}"' in detail and f'hx-post="{url}"' in detail
    mine = client.get("/bookings/mine/").content.decode()
    assert f'action="{url}"' in mine and 'name="next" value="/bookings/mine/"' in mine
    response = client.post(url, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and 'id="booking-actions"' in html
    assert "Request withdrawn" in html and "Withdraw request" not in html
    mine = client.get("/bookings/mine/").content.decode()
    assert f'action="{url}"' not in mine and "Withdrawn" in mine
