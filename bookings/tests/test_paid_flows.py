"""1:1 bookings with money, against localstripe: FIRM paid at once and confirmed by Stripe's
signed webhook; REQUEST authorized now and captured when the coach accepts; decline and
expiry never charge; cancellations refund per policy through the payments core."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from bookings.models import AvailabilitySlot, Booking
from bookings.services import transitions
from bookings.tests.factories import (
    AvailabilitySlotFactory,
    DiscountCodeFactory,
    at,
    coach_with_offer,
    future_weekday,
)
from notifications.models import Notification
from payments import gateway
from payments.models import Payment, Transaction
from payments.tests.stripe_helpers import localstripe_events, post_event, saved_card

pytestmark = pytest.mark.django_db
BookingStatus = Booking.Status


def _offer(instant: bool):
    coach, session_type = coach_with_offer()
    day = future_weekday(0, weeks_ahead=3)
    AvailabilitySlotFactory(coach=coach, start=at(day, 9), end=at(day, 17), instant_booking=instant)
    return coach, session_type, day


def _book(client, coach, session_type, start, **extra):
    response = client.post(
        reverse("bookings:create"),
        {
            "coach": coach.pk,
            "session_type": session_type.pk,
            "start": start.isoformat(),
            "duration": 60,
            **extra,
        },
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def _pay(client, user, data):
    card = saved_card(user)
    response = client.post(
        reverse("payments:confirm"),
        {"payment_intent_id": data["payment_intent_id"], "payment_method_id": card},
    )
    assert response.status_code == 200, response.content
    return response.json()


def _deliver_succeeded(client, localstripe, payment_intent_id):
    [event] = localstripe_events(
        localstripe["base"],
        event_type="payment_intent.succeeded",
        payment_intent_id=payment_intent_id,
    )
    response = post_event(client, event)
    assert response.status_code == 200, response.content


def test_firm_booking_is_paid_and_confirmed_by_the_webhook(
    client, localstripe, django_capture_on_commit_callbacks
):
    coach, session_type, day = _offer(instant=True)
    user = UserFactory()
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        data = _book(client, coach, session_type, at(day, 10), code="")
    assert data["type"] == "FIRM" and data["status"] == "payment_pending"
    assert data["amount"] == "150.00" and data["currency"] == "CHF" and data["client_secret"]
    intent = gateway.payment_intent_retrieve(data["payment_intent_id"]).raw
    assert intent["amount"] == 15000 and intent["metadata"]["booking_id"] == str(data["booking_id"])
    assert intent["capture_method"] == "automatic"

    assert _pay(client, user, data)["status"] == "processing"
    with django_capture_on_commit_callbacks(execute=True):
        _deliver_succeeded(client, localstripe, data["payment_intent_id"])

    booking = Booking.objects.get(pk=data["booking_id"])
    assert booking.status == BookingStatus.CONFIRMED
    payment = booking.payment
    assert payment.status == Payment.Status.COMPLETED and payment.amount_total == Decimal("150.00")
    assert payment.price_snapshot["lines"][0]["kind"] == "base"
    assert Transaction.objects.filter(
        payment=payment, kind="charge", amount=Decimal("150.00")
    ).exists()
    assert Notification.objects.filter(recipient=user, type="booking_confirmed").exists()
    assert Notification.objects.filter(recipient=coach.user, type="booking_confirmed").exists()


def test_a_price_sent_by_the_client_is_ignored(client, localstripe):
    coach, session_type, day = _offer(instant=True)
    client.force_login(UserFactory())
    data = _book(
        client, coach, session_type, at(day, 10), amount="1.00", price="1.00", total="1.00"
    )
    assert data["amount"] == "150.00"
    assert gateway.payment_intent_retrieve(data["payment_intent_id"]).amount_minor == 15000


def test_request_is_authorized_then_captured_when_the_coach_accepts(
    client, localstripe, django_capture_on_commit_callbacks
):
    coach, session_type, day = _offer(instant=False)
    DiscountCodeFactory(coach=coach)
    user = UserFactory()
    client.force_login(user)
    data = _book(client, coach, session_type, at(day, 10), code="welcome10")
    assert data["type"] == "REQUEST" and data["amount"] == "135.00"
    assert gateway.payment_intent_retrieve(data["payment_intent_id"]).capture_method == "manual"

    with django_capture_on_commit_callbacks(execute=True):
        assert _pay(client, user, data)["status"] == "requires_capture"
    booking = Booking.objects.get(pk=data["booking_id"])
    assert booking.status == BookingStatus.REQUESTED
    assert Notification.objects.filter(recipient=coach.user, type="booking_requested").exists()
    assert not Transaction.objects.filter(
        payment=booking.payment, kind="charge"
    ).exists()  # nothing taken yet

    with django_capture_on_commit_callbacks(execute=True):
        transitions.booking_accept(user=coach.user, booking_id=booking.pk)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.payment.status == Payment.Status.COMPLETED
    assert gateway.payment_intent_retrieve(data["payment_intent_id"]).status == "succeeded"
    assert Transaction.objects.filter(
        payment=booking.payment, kind="charge", amount=Decimal("135.00")
    ).exists()
    assert Notification.objects.filter(recipient=user, type="booking_accepted").exists()


def test_declined_request_is_never_charged(client, localstripe):
    coach, session_type, day = _offer(instant=False)
    user = UserFactory()
    client.force_login(user)
    data = _book(client, coach, session_type, at(day, 10))
    _pay(client, user, data)
    transitions.booking_decline(user=coach.user, booking_id=data["booking_id"], message="Sorry")
    booking = Booking.objects.get(pk=data["booking_id"])
    assert (
        booking.status == BookingStatus.DECLINED
        and booking.payment.status == Payment.Status.CANCELLED
    )
    assert gateway.payment_intent_retrieve(data["payment_intent_id"]).status == "canceled"
    assert not Transaction.objects.filter(payment=booking.payment).exists()
    assert AvailabilitySlot.objects.filter(coach=coach, start=at(day, 9), end=at(day, 17)).exists()


def test_expired_request_cancels_the_authorization(client, localstripe):
    coach, session_type, day = _offer(instant=False)
    user = UserFactory()
    client.force_login(user)
    data = _book(client, coach, session_type, at(day, 10))
    _pay(client, user, data)
    booking = Booking.objects.get(pk=data["booking_id"])
    transitions.bookings_expire(now=booking.request_expires_at + dt.timedelta(seconds=1))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED
    assert gateway.payment_intent_retrieve(data["payment_intent_id"]).status == "canceled"


def test_unpaid_hold_expires_and_the_time_comes_back(client, localstripe):
    coach, session_type, day = _offer(instant=True)
    client.force_login(UserFactory())
    data = _book(client, coach, session_type, at(day, 10))
    booking = Booking.objects.get(pk=data["booking_id"])
    transitions.bookings_expire(now=booking.hold_expires_at + dt.timedelta(seconds=1))
    booking.refresh_from_db()
    assert (
        booking.status == BookingStatus.EXPIRED
        and booking.payment.status == Payment.Status.CANCELLED
    )
    assert AvailabilitySlot.objects.filter(coach=coach, start=at(day, 9), end=at(day, 17)).exists()


def test_payment_after_the_hold_expired_keeps_the_booking_if_the_time_is_still_free(
    client, localstripe
):
    coach, session_type, day = _offer(instant=True)
    user = UserFactory()
    client.force_login(user)
    data = _book(client, coach, session_type, at(day, 10))
    Booking.objects.filter(pk=data["booking_id"]).update(
        hold_expires_at=at(day, 0) - dt.timedelta(days=30)
    )
    _pay(client, user, data)  # paid just before the sweep ran...
    transitions.bookings_expire()  # ...which releases the hold (its cancel finds the intent paid)
    _deliver_succeeded(client, localstripe, data["payment_intent_id"])
    booking = Booking.objects.get(pk=data["booking_id"])
    assert booking.status == BookingStatus.CONFIRMED
    assert not AvailabilitySlot.objects.filter(
        coach=coach, start__lt=at(day, 11), end__gt=at(day, 10)
    ).exists()


def _confirmed_paid_booking(client, localstripe, user, coach, session_type, start):
    data = _book(client, coach, session_type, start)
    _pay(client, user, data)
    _deliver_succeeded(client, localstripe, data["payment_intent_id"])
    return Booking.objects.get(pk=data["booking_id"])


@pytest.mark.parametrize("hours_before,refund", [(72, "150.00"), (36, "75.00"), (12, "0.00")])
def test_client_cancellation_refunds_per_policy(
    client, localstripe, django_capture_on_commit_callbacks, hours_before, refund
):
    coach, session_type, day = _offer(instant=True)
    user = UserFactory()
    client.force_login(user)
    booking = _confirmed_paid_booking(client, localstripe, user, coach, session_type, at(day, 10))
    with django_capture_on_commit_callbacks(execute=True):
        preview = transitions.booking_cancel(
            user=user, booking_id=booking.pk, now=booking.start - dt.timedelta(hours=hours_before)
        )
    assert preview.refund.amount == Decimal(refund)
    booking.refresh_from_db()
    payment = booking.payment
    assert booking.status == BookingStatus.CANCELLED_BY_CLIENT and booking.refund_amount == Decimal(
        refund
    )
    assert payment.amount_refunded == Decimal(refund)
    refunds = Transaction.objects.filter(payment=payment, kind="refund")
    assert sum((t.amount for t in refunds), Decimal(0)) == Decimal(refund)
    assert Notification.objects.filter(recipient=user, type="payment_refunded").exists() == (
        refund != "0.00"
    )


def test_coach_cancellation_refunds_in_full(client, localstripe):
    coach, session_type, day = _offer(instant=True)
    user = UserFactory()
    client.force_login(user)
    booking = _confirmed_paid_booking(client, localstripe, user, coach, session_type, at(day, 10))
    transitions.booking_cancel(
        user=coach.user, booking_id=booking.pk, now=booking.start - dt.timedelta(hours=2)
    )
    booking.refresh_from_db()
    assert (
        booking.payment.status == Payment.Status.REFUNDED
        and booking.payment.amount_refunded == Decimal("150.00")
    )


def test_picking_a_cheaper_suggested_time_refunds_the_difference(client, localstripe):
    from bookings.tests.factories import SpecialPeriodFactory

    coach, session_type, day = _offer(instant=False)
    cheaper_day = day + dt.timedelta(days=1)
    SpecialPeriodFactory(
        coach=coach, start_date=cheaper_day, end_date=cheaper_day, hourly_rate=Decimal("100.00")
    )
    user = UserFactory()
    client.force_login(user)
    data = _book(client, coach, session_type, at(day, 10))
    _pay(client, user, data)
    transitions.booking_suggest(
        user=coach.user, booking_id=data["booking_id"], starts=[at(cheaper_day, 10)]
    )
    booking = Booking.objects.get(pk=data["booking_id"])
    transitions.booking_pick_suggestion(
        user=user, booking_id=booking.pk, suggestion_id=booking.suggested_times.get().pk
    )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and booking.amount_total == Decimal("100.00")
    assert booking.payment.amount_refunded == Decimal("50.00")


def test_booking_detail_is_404_for_strangers(client, localstripe):
    coach, session_type, day = _offer(instant=True)
    client.force_login(UserFactory())
    data = _book(client, coach, session_type, at(day, 10))
    status_before = Booking.objects.get(pk=data["booking_id"]).status
    client.force_login(UserFactory())
    assert client.get(f"/bookings/{data['booking_id']}/").status_code == 404
    response = client.post(
        f"/bookings/{data['booking_id']}/cancel/", HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 403
    assert response.json()["message"] == "Only the client of this booking can do that."
    assert Booking.objects.get(pk=data["booking_id"]).status == status_before  # not cancelled


def test_dashboard_earnings_are_the_coachs_share_less_refunds(client, localstripe):
    from bookings.selectors import coach_dashboard

    coach, session_type, day = _offer(instant=True)
    user = UserFactory()
    client.force_login(user)
    kept = _confirmed_paid_booking(client, localstripe, user, coach, session_type, at(day, 10))
    halved = _confirmed_paid_booking(client, localstripe, user, coach, session_type, at(day, 13))
    transitions.booking_cancel(
        user=user, booking_id=halved.pk, now=halved.start - dt.timedelta(hours=36)
    )
    dashboard = coach_dashboard(coach, now=at(day, 8))  # seen on the morning of that day
    # 150.00 incl. 8.1% VAT: net 138.76, fee 20.81, coach share 117.95; half of it 58.98.
    assert kept.payment.coach_share == Decimal("117.95")
    assert dashboard.earnings_month == Decimal("117.95") + Decimal("58.98")
    assert dashboard.sessions_month == 1
    assert [b.pk for b in dashboard.today] == [kept.pk]


def test_stripe_down_at_booking_time_gives_the_time_back_and_says_so(client, settings):
    coach, session_type, day = _offer(instant=True)
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there: a real outage
    client.force_login(UserFactory())
    response = client.post(
        reverse("bookings:create"),
        {
            "coach": coach.pk,
            "session_type": session_type.pk,
            "start": at(day, 10).isoformat(),
            "duration": 60,
        },
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 503 and "try again" in response.json()["message"]
    assert not Booking.objects.filter(status__in=Booking.BLOCKING_STATUSES).exists()
    assert AvailabilitySlot.objects.filter(coach=coach, start=at(day, 9), end=at(day, 17)).exists()


def test_accept_when_stripe_is_down_keeps_the_request_in_the_inbox(client, localstripe, settings):
    coach, session_type, day = _offer(instant=False)
    user = UserFactory()
    client.force_login(user)
    data = _book(client, coach, session_type, at(day, 10))
    _pay(client, user, data)
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    from bookings.errors import PaymentProblem

    with pytest.raises(PaymentProblem) as caught:
        transitions.booking_accept(user=coach.user, booking_id=data["booking_id"])
    assert caught.value.status_code == 503
    assert Booking.objects.get(pk=data["booking_id"]).status == BookingStatus.REQUESTED
