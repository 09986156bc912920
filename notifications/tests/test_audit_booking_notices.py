"""Both parties hear about a 1:1 booking (issue 8, item 19, seed 002): the client gets "request
sent", the coach a "booking confirmed" on acceptance, a declined card reported by Stripe's
webhook reaches the client, and the coach's request notice is handled once answered.
Against localstripe and its signed webhooks."""

import pytest

from accounts.tests.factories import UserFactory
from bookings.models import Booking
from bookings.services import transitions
from bookings.tests.factories import at
from bookings.tests.test_paid_flows import _book, _offer, _pay
from notifications.models import Notification, OutboundEmail
from notifications.selectors import unread_count
from payments import gateway
from payments.tests.stripe_helpers import card_with_number, localstripe_events, post_event

pytestmark = pytest.mark.django_db


def _request(client, localstripe, capture):
    coach, session_type, day = _offer(instant=False)
    user = UserFactory()
    client.force_login(user)
    with capture(execute=True):
        data = _book(client, coach, session_type, at(day, 10))
        _pay(client, user, data)
    return coach, user, Booking.objects.get(pk=data["booking_id"])


def _types(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("type", flat=True))


def test_the_client_is_told_the_request_was_sent(
    client, localstripe, django_capture_on_commit_callbacks
):
    coach, user, booking = _request(client, localstripe, django_capture_on_commit_callbacks)

    assert booking.status == Booking.Status.REQUESTED
    sent = Notification.objects.get(recipient=user, type="booking_request_sent")
    assert sent.title.startswith("Request sent")
    assert coach.user.display_name in sent.body
    assert "only charged if" in sent.body
    assert OutboundEmail.objects.filter(recipient=user, type="booking_request_sent").exists()
    assert "booking_requested" in _types(coach.user)


def test_an_accepted_request_tells_the_client_and_confirms_it_to_the_coach(
    client, localstripe, django_capture_on_commit_callbacks
):
    coach, user, booking = _request(client, localstripe, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        transitions.booking_accept(user=coach.user, booking_id=booking.pk)

    assert "booking_accepted" in _types(user)
    confirmed = Notification.objects.get(recipient=coach.user, type="booking_confirmed")
    assert user.display_name in confirmed.body  # the coach reads who the session is with
    assert "Your session" not in confirmed.body


@pytest.mark.parametrize("answer", ["accept", "decline", "suggest"])
def test_the_coachs_request_notice_is_handled_when_the_request_is_answered(
    client, localstripe, django_capture_on_commit_callbacks, answer
):
    coach, user, booking = _request(client, localstripe, django_capture_on_commit_callbacks)
    request_notice = Notification.objects.get(recipient=coach.user, type="booking_requested")
    other = Notification.objects.create(  # an unrelated unread notice stays unread
        recipient=coach.user, type="connection_requested", category="account", title="Ada"
    )
    assert request_notice.read_at is None

    with django_capture_on_commit_callbacks(execute=True):
        if answer == "accept":
            transitions.booking_accept(user=coach.user, booking_id=booking.pk)
        elif answer == "decline":
            transitions.booking_decline(user=coach.user, booking_id=booking.pk, message="Sorry")
        else:
            transitions.booking_suggest(
                user=coach.user,
                booking_id=booking.pk,
                starts=[at(booking.start.date(), 14)],
                message="",
            )

    request_notice.refresh_from_db()
    other.refresh_from_db()
    assert request_notice.read_at is not None
    assert other.read_at is None
    assert (
        unread_count(user_id=coach.user.pk)
        == Notification.objects.filter(recipient=coach.user, read_at__isnull=True).count()
    )


def test_a_declined_card_reported_by_the_webhook_tells_the_client(
    client, localstripe, django_capture_on_commit_callbacks
):
    coach, session_type, day = _offer(instant=True)
    user = UserFactory()
    client.force_login(user)
    data = _book(client, coach, session_type, at(day, 10))
    intent_id = data["payment_intent_id"]
    declining = card_with_number(user, "4000000000000341")
    # The decline as Stripe reports it asynchronously (the browser never came back):
    gateway.client().v1.payment_intents.update(intent_id, params={"payment_method": declining})
    with pytest.raises(Exception):  # noqa: B017 - localstripe answers 402 on the confirm
        gateway.client().v1.payment_intents.confirm(intent_id)
    [event] = localstripe_events(
        localstripe["base"], event_type="payment_intent.payment_failed", payment_intent_id=intent_id
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert post_event(client, event).status_code == 200

    failed = Notification.objects.get(recipient=user, type="payment_failed")
    assert "CHF 150.00" in failed.body
    assert failed.link == Booking.objects.get(pk=data["booking_id"]).get_absolute_url()
    assert OutboundEmail.objects.filter(recipient=user, type="payment_failed").exists()
    assert Booking.objects.get(pk=data["booking_id"]).status == Booking.Status.PAYMENT_PENDING
