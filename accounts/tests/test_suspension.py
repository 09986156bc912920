"""Suspension (issue 18: accounts.suspension): a suspended user cannot book, request, register,
publish or accept (a 403 from the service, one test per path); suspending releases the
client's holds and requests and cancels the coach's future sessions and webinars with full
refunds (the existing paths, against localstripe); lifting restores access; the banner is on
every page; search, the directory and profiles leave suspended or hidden coaches out."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import suspension
from accounts.models import AccountSanction
from accounts.tests.factories import PASSWORD, CoachFactory, UserFactory
from bookings.errors import AccountSuspended as BookingSuspended
from bookings.models import Booking
from bookings.services import transitions
from bookings.services.booking_create import booking_create
from bookings.tests.factories import (
    AvailabilitySlotFactory,
    BookingFactory,
    at,
    coach_with_offer,
    future_weekday,
)
from notifications.models import Notification
from payments import gateway
from payments.models import Payment, Transaction
from payments.tests.stripe_helpers import localstripe_events, post_event, saved_card
from webinars.errors import AccountSuspended as WebinarSuspended
from webinars.errors import SellerSuspended
from webinars.models import Registration, Webinar
from webinars.services import webinar_register
from webinars.services.editing import webinar_publish
from webinars.tests.factories import RegistrationFactory, WebinarFactory
from webinars.tests.payment_helpers import deliver, paid

pytestmark = pytest.mark.django_db
BookingStatus = Booking.Status
JSON = {"HTTP_ACCEPT": "application/json"}


def _suspend(user, days=7, reason="Repeated no-shows", **kwargs):
    return suspension.user_suspend(
        user=user,
        until=timezone.now() + dt.timedelta(days=days),
        reason=reason,
        source=AccountSanction.Source.STAFF,
        **kwargs,
    )


def _offer(instant: bool):
    coach, session_type = coach_with_offer()
    day = future_weekday(0, weeks_ahead=3)
    AvailabilitySlotFactory(coach=coach, start=at(day, 9), end=at(day, 17), instant_booking=instant)
    return coach, session_type, day


def _post_booking(client, coach, session_type, start):
    return client.post(
        reverse("bookings:create"),
        {"coach": coach.pk, "session_type": session_type.pk, "start": start.isoformat()}
        | {"duration": 60},
        **JSON,
    )


def _pay(client, user, data):
    response = client.post(
        reverse("payments:confirm"),
        {"payment_intent_id": data["payment_intent_id"], "payment_method_id": saved_card(user)},
    )
    assert response.status_code == 200, response.content


# --- the refusals, one per path -------------------------------------------------------------


def test_is_suspended_covers_ban_future_and_past_suspensions():
    user = UserFactory()
    assert not suspension.is_suspended(user)
    _suspend(user, days=3)
    assert suspension.is_suspended(user)
    assert not suspension.is_suspended(user, at=timezone.now() + dt.timedelta(days=4))
    suspension.user_suspend(user=user, until=None, reason="fraud", source="moderation")
    assert suspension.is_suspended(user, at=timezone.now() + dt.timedelta(days=3650))
    assert AccountSanction.objects.filter(user=user).count() == 2


def test_suspended_client_cannot_book_a_session_403(client):
    coach, session_type, day = _offer(instant=True)
    user = UserFactory()
    _suspend(user)
    client.force_login(user)
    response = _post_booking(client, coach, session_type, at(day, 10))
    assert response.status_code == 403
    assert response.json()["code"] == "account_suspended"
    assert "suspended until" in response.json()["message"]
    assert not Booking.objects.filter(client=user).exists()


def test_suspended_client_cannot_send_a_request_403():
    coach, session_type, day = _offer(instant=False)
    user = UserFactory()
    _suspend(user)
    with pytest.raises(BookingSuspended) as refused:
        booking_create(
            client=user,
            coach_id=coach.pk,
            session_type_id=session_type.pk,
            start=at(day, 10),
            duration=60,
        )
    assert refused.value.status_code == 403
    assert not Booking.objects.filter(client=user).exists()


def test_nobody_can_book_a_suspended_coach(client):
    coach, session_type, day = _offer(instant=True)
    _suspend(coach.user)
    client.force_login(UserFactory())
    response = _post_booking(client, coach, session_type, at(day, 10))
    assert response.status_code == 403
    assert "not taking bookings" in response.json()["message"]


def test_suspended_user_cannot_register_for_a_webinar_403(client):
    webinar = WebinarFactory()
    user = UserFactory()
    _suspend(user)
    client.force_login(user)
    response = client.post(reverse("webinars:register", args=[webinar.pk]), **JSON)
    assert response.status_code == 403
    assert "suspended" in response.json()["message"]
    assert not Registration.objects.filter(user=user).exists()


def test_suspended_user_cannot_hold_a_free_seat_either():
    webinar = WebinarFactory(price=Decimal("0"))
    user = UserFactory()
    suspension.user_suspend(user=user, until=None, reason="", source="staff")
    with pytest.raises(WebinarSuspended) as refused:
        webinar_register(webinar_id=webinar.pk, user=user)
    assert refused.value.status_code == 403
    assert not Registration.objects.filter(user=user).exists()


def test_suspended_coach_cannot_publish_a_webinar(client):
    webinar = WebinarFactory(status=Webinar.Status.DRAFT)
    _suspend(webinar.coach.user)
    with pytest.raises(SellerSuspended) as refused:
        webinar_publish(webinar_id=webinar.pk, by=webinar.coach.user)
    assert refused.value.status_code == 403
    client.force_login(webinar.coach.user)
    response = client.post(reverse("webinars:publish", args=[webinar.pk]), follow=True)
    assert "suspended" in response.content.decode()
    webinar.refresh_from_db()
    assert webinar.status == Webinar.Status.DRAFT


def test_suspended_coach_cannot_accept_a_request(client):
    coach, session_type = coach_with_offer()
    booking = BookingFactory(
        coach=coach,
        session_type=session_type,
        status=BookingStatus.REQUESTED,
        booking_type="REQUEST",
    )
    coach.user.suspended_until = timezone.now() + dt.timedelta(days=2)  # as the row says
    coach.user.save(update_fields=["suspended_until"])
    with pytest.raises(BookingSuspended):
        transitions.booking_accept(user=coach.user, booking_id=booking.pk)
    client.force_login(coach.user)
    response = client.post(reverse("bookings:accept", args=[booking.pk]), **JSON)
    assert response.status_code == 403
    booking.refresh_from_db()
    assert booking.status == BookingStatus.REQUESTED


def test_suspended_client_cannot_confirm_a_suggested_time():
    from bookings.models import SuggestedTime

    booking = BookingFactory(status=BookingStatus.TIME_SUGGESTED, booking_type="REQUEST")
    suggestion = SuggestedTime.objects.create(
        booking=booking,
        start=booking.start + dt.timedelta(days=1),
        end=booking.end + dt.timedelta(days=1),
    )
    _suspend(booking.client)
    with pytest.raises(BookingSuspended):
        transitions.booking_pick_suggestion(
            user=booking.client, booking_id=booking.pk, suggestion_id=suggestion.pk
        )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.TIME_SUGGESTED


def test_suspended_user_cannot_join_a_waitlist():
    from webinars.services.waitlist import waitlist_join

    webinar = WebinarFactory(max_attendees=1)
    RegistrationFactory(webinar=webinar)  # the one seat is taken
    user = UserFactory()
    _suspend(user)
    with pytest.raises(WebinarSuspended):
        waitlist_join(webinar_id=webinar.pk, user=user)


# --- the consequences -----------------------------------------------------------------------


def test_suspending_a_client_releases_their_open_hold_and_request(client, localstripe, committed):
    coach, session_type, day = _offer(instant=True)
    other_coach, other_type, _ = _offer(instant=False)
    user = UserFactory()
    client.force_login(user)
    hold = _post_booking(client, coach, session_type, at(day, 10)).json()
    request = _post_booking(client, other_coach, other_type, at(day, 11)).json()
    _pay(client, user, request)  # authorized, waiting for the coach
    assert Booking.objects.get(pk=request["booking_id"]).status == BookingStatus.REQUESTED
    webinar = WebinarFactory()
    seat = webinar_register(webinar_id=webinar.pk, user=user).registration

    with committed():
        _suspend(user)

    held = Booking.objects.get(pk=hold["booking_id"])
    asked = Booking.objects.get(pk=request["booking_id"])
    assert held.status == BookingStatus.EXPIRED and held.payment.status == Payment.Status.CANCELLED
    assert asked.status == BookingStatus.WITHDRAWN
    assert gateway.payment_intent_retrieve(request["payment_intent_id"]).status == "canceled"
    assert not Transaction.objects.filter(payment__payer=user, kind="charge").exists()
    seat.refresh_from_db()
    assert seat.status == Registration.Status.CANCELLED
    assert Notification.objects.filter(recipient=other_coach.user, type="booking_withdrawn")
    assert Notification.objects.filter(recipient=user, type="account_suspended").exists()


def test_suspending_a_coach_cancels_future_paid_sessions_with_full_refunds(
    client, localstripe, committed
):
    coach, session_type, day = _offer(instant=True)
    user = UserFactory()
    client.force_login(user)
    data = _post_booking(client, coach, session_type, at(day, 10)).json()
    _pay(client, user, data)
    [event] = localstripe_events(
        localstripe["base"],
        event_type="payment_intent.succeeded",
        payment_intent_id=data["payment_intent_id"],
    )
    with committed():
        post_event(client, event)
    booking = Booking.objects.get(pk=data["booking_id"])
    assert booking.status == BookingStatus.CONFIRMED
    pending = BookingFactory(
        coach=coach, session_type=session_type, status=BookingStatus.REQUESTED, start=at(day, 14)
    )
    pending.end = pending.start + dt.timedelta(hours=1)
    pending.save()

    with committed():
        _suspend(coach.user, reason="Fraud reports upheld")

    booking.refresh_from_db()
    payment = booking.payment
    assert booking.status == BookingStatus.CANCELLED_BY_COACH
    assert booking.refund_amount == Decimal("150.00")
    assert payment.status == Payment.Status.REFUNDED
    assert payment.amount_refunded == Decimal("150.00")
    refunds = Transaction.objects.filter(payment=payment, kind="refund")
    assert sum((t.amount for t in refunds), Decimal(0)) == Decimal("150.00")
    assert Notification.objects.filter(recipient=user, type="payment_refunded").exists()
    assert Notification.objects.filter(recipient=user, type="booking_cancelled_by_coach").exists()
    pending.refresh_from_db()
    assert pending.status == BookingStatus.DECLINED


def test_suspending_a_coach_cancels_their_webinars_and_refunds_every_seat(
    client, localstripe, committed, django_capture_on_commit_callbacks
):
    webinar = WebinarFactory()
    registration, payment, event = paid(localstripe, webinar)
    deliver(client, event, django_capture_on_commit_callbacks)
    started = WebinarFactory(coach=webinar.coach, slots__starts_in=-dt.timedelta(minutes=30))

    with committed():
        _suspend(webinar.coach.user)

    webinar.refresh_from_db()
    registration.refresh_from_db()
    payment.refresh_from_db()
    assert webinar.status == Webinar.Status.CANCELLED
    assert registration.status == Registration.Status.REFUNDED
    assert payment.status == Payment.Status.REFUNDED
    assert payment.amount_refunded == Decimal("120.00")
    assert Transaction.objects.filter(payment=payment, kind="refund").exists()
    started.refresh_from_db()
    assert started.status == Webinar.Status.SCHEDULED  # taking place: left alone


def test_lifting_restores_access(client, localstripe):
    coach, session_type, day = _offer(instant=True)
    user = UserFactory()
    staff = UserFactory(is_staff=True, is_superuser=True)
    _suspend(user)
    suspension.user_lift(user=user, actor=staff, reason="Appeal accepted")
    assert not suspension.is_suspended(user)
    client.force_login(user)
    response = _post_booking(client, coach, session_type, at(day, 10))
    assert response.status_code == 201, response.content
    suspend = AccountSanction.objects.get(user=user, kind="suspend")
    assert suspend.reversed_at is not None and suspend.reversed_by == staff
    assert AccountSanction.objects.filter(user=user, kind="lift", actor=staff).exists()


# --- what people see ------------------------------------------------------------------------


def test_a_suspended_user_can_log_in_and_sees_the_banner_on_every_page(client):
    user = UserFactory()
    _suspend(user, reason="Abusive messages")
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD}, follow=True
    )
    assert response.wsgi_request.user.is_authenticated
    for url in ("/", "/bookings/mine/", "/webinars/", "/accounts/settings/"):
        page = client.get(url).content.decode()
        assert 'id="suspension-banner"' in page, url
        assert "Your account is suspended until" in page
        assert "because: Abusive messages" in page


def test_the_ban_banner_says_banned_and_the_lifted_user_has_none(client):
    user = UserFactory()
    suspension.user_suspend(user=user, until=None, reason="Fraud", source="moderation")
    client.force_login(user)
    assert "Your account is banned because: Fraud" in client.get("/").content.decode()
    suspension.user_lift(user=user, actor=None)
    assert 'id="suspension-banner"' not in client.get("/").content.decode()


def test_a_warning_is_emailed_and_logged(committed):
    user = UserFactory()
    with committed():
        sanction = suspension.user_warn(
            user=user, reason="Three late cancellations.", source="trust_score"
        )
    assert sanction.kind == "warn" and sanction.source == "trust_score"
    [email] = [m for m in mail.outbox if user.email in m.to]
    assert "warning" in email.subject.lower()
    assert "Three late cancellations." in email.body


@pytest.mark.parametrize("sanction", ["suspend", "hide"])
def test_search_directory_and_profile_leave_out_suspended_and_hidden_coaches(client, sanction):
    coach = CoachFactory(user__first_name="Vera", headline="Negotiation coach")
    WebinarFactory(coach=coach, title="Negotiation for engineers")
    visible = CoachFactory(user__first_name="Nina", headline="Negotiation mentor")
    if sanction == "suspend":
        _suspend(coach.user)
    else:
        suspension.user_hide_from_search(user=coach.user, reason="low trust", source="trust_score")

    data = client.get(reverse("discovery:search"), {"q": "negotiation"}, **JSON).json()
    assert {(r["kind"], r["id"]) for r in data["results"]} == {("coach", visible.pk)}
    assert client.get(coach.get_absolute_url()).status_code == 404
    home = client.get("/").content.decode()
    assert "Nina" in home and "Vera" not in home


# --- admin ----------------------------------------------------------------------------------


def test_staff_suspend_and_lift_from_the_user_admin(admin_client, committed):
    user = UserFactory()
    changelist = reverse("admin:accounts_user_changelist")
    with committed():
        response = admin_client.post(
            changelist,
            {
                "action": "suspend_users",
                "_selected_action": [user.pk],
                "days": "10",
                "reason": "Spam",
            },
        )
    assert response.status_code == 302
    user.refresh_from_db()
    assert suspension.is_suspended(user)
    assert user.suspended_until > timezone.now() + dt.timedelta(days=9)
    assert user.suspension_reason == "Spam"
    page = admin_client.get(reverse("admin:accounts_user_change", args=[user.pk])).content
    assert b"Spam" in page
    admin_client.post(changelist, {"action": "lift_sanctions", "_selected_action": [user.pk]})
    user.refresh_from_db()
    assert not suspension.is_suspended(user)


def test_the_sanction_log_is_for_staff_only(admin_client, client):
    user = UserFactory()
    _suspend(user)
    url = reverse("admin:accounts_accountsanction_changelist")
    assert admin_client.get(url).status_code == 200
    coach = CoachFactory()
    client.force_login(coach.user)
    assert client.get(url).status_code == 403
