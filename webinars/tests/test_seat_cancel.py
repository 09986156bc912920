"""Issue 15 #3: a confirmed attendee gives the seat back. The webinar's own terms (default
> 48 h 100 %, > 24 h 50 %, else nothing) decide the refund, made through the payments core at
localstripe; the seat frees at once, the coach is told, the minimum-attendees status is
recomputed. Errors: 404 for a non-attendee, 409 if already cancelled, 400 once started."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from accounts.tests.factories import UserFactory
from notifications.models import Notification
from payments.models import Payment
from webinars.errors import SeatAlreadyCancelled, SeatCancelClosed
from webinars.models import Registration, Webinar
from webinars.policy import seat_refund
from webinars.services import live_seat_count, seat_cancel, webinar_starts_at
from webinars.services.seat_cancel import seat_refunds_settle
from webinars.tests.factories import RegistrationFactory, WebinarFactory
from webinars.tests.payment_helpers import deliver, paid

pytestmark = pytest.mark.django_db
SeatStatus = Registration.Status


def confirmed_paid(client, localstripe, webinar, capture, user=None):
    registration, payment, event = paid(localstripe, webinar, user or UserFactory())
    deliver(client, event, capture)
    registration.refresh_from_db()
    assert registration.status == SeatStatus.CONFIRMED
    return registration, Payment.objects.get(pk=payment.pk)


def test_cancelling_early_refunds_everything_frees_the_seat_and_tells_both(
    client, localstripe, django_capture_on_commit_callbacks
):
    webinar = WebinarFactory(max_attendees=3)  # starts in 7 days
    capture = django_capture_on_commit_callbacks
    registration, payment = confirmed_paid(client, localstripe, webinar, capture)
    client.force_login(registration.user)
    url = reverse("webinars:seat_cancel", args=[webinar.pk])
    page = client.get(url).content.decode()
    assert "You get back <strong>" in page and "120.00" in page and "(100%)" in page
    assert "full refund" in page and f'action="{url}"' in page
    mail.outbox.clear()
    with capture(execute=True):
        response = client.post(url)
    assert response.status_code == 302 and response["Location"] == webinar.get_absolute_url()
    registration.refresh_from_db()
    payment.refresh_from_db()
    assert registration.status == SeatStatus.CANCELLED and registration.cancelled_by_attendee
    assert registration.refund_amount == Decimal("120.00")
    assert payment.status == Payment.Status.REFUNDED
    assert payment.amount_refunded == Decimal("120.00")
    assert live_seat_count(webinar_id=webinar.pk) == 0
    mine = Notification.objects.get(recipient=registration.user, type="webinar_seat_cancelled")
    assert "CHF" in mine.body and "120.00" in mine.body
    coach = Notification.objects.get(
        recipient=webinar.coach.user, type="webinar_attendee_cancelled"
    )
    assert registration.user.display_name in coach.body and "0 of 3 seats" in coach.body
    assert any(registration.user.email in m.to for m in mail.outbox)
    detail = client.get(webinar.get_absolute_url()).content.decode()
    assert "You cancelled your seat." in detail and "Book webinar" in detail


@pytest.mark.parametrize(
    ("hours_before", "percent", "amount"),
    [(49, 100, "120.00"), (48, 50, "60.00"), (36, 50, "60.00"), (24, 0, "0"), (2, 0, "0")],
)
def test_the_default_terms(hours_before, percent, amount):
    webinar = WebinarFactory()
    start = webinar_starts_at(webinar.pk)
    decision = seat_refund(
        paid=Decimal("120.00"),
        currency="CHF",
        webinar=webinar,
        start=start,
        now=start - timedelta(hours=hours_before),
    )
    assert (decision.percent, decision.amount) == (percent, Decimal(amount))


def test_a_webinars_own_terms_decide(client, localstripe, django_capture_on_commit_callbacks):
    webinar = WebinarFactory(
        full_refund_hours=96, partial_refund_hours=48, partial_refund_percent=25
    )
    registration, payment = confirmed_paid(
        client, localstripe, webinar, django_capture_on_commit_callbacks
    )
    start = webinar_starts_at(webinar.pk)
    with django_capture_on_commit_callbacks(execute=True):
        result = seat_cancel(
            webinar_id=webinar.pk, user=registration.user, now=start - timedelta(hours=60)
        )
    assert (result.refund.percent, result.refund.amount) == (25, Decimal("30.00"))
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PARTIALLY_REFUNDED
    assert payment.amount_refunded == Decimal("30.00")


def test_late_cancellation_refunds_nothing_but_frees_the_seat(
    client, localstripe, django_capture_on_commit_callbacks
):
    webinar = WebinarFactory()
    registration, payment = confirmed_paid(
        client, localstripe, webinar, django_capture_on_commit_callbacks
    )
    start = webinar_starts_at(webinar.pk)
    result = seat_cancel(
        webinar_id=webinar.pk, user=registration.user, now=start - timedelta(hours=3)
    )
    assert result.refund.amount == 0
    payment.refresh_from_db()
    registration.refresh_from_db()
    assert payment.status == Payment.Status.COMPLETED and payment.amount_refunded == 0
    assert (
        registration.status == SeatStatus.CANCELLED and live_seat_count(webinar_id=webinar.pk) == 0
    )
    client.force_login(registration.user)
    mine = client.get("/bookings/mine/").content.decode()
    assert "You cancelled" in mine and "No refund (cancelled late)" in mine


def test_post_as_json_answers_refund_amount_and_currency(
    client, localstripe, django_capture_on_commit_callbacks
):
    webinar = WebinarFactory()
    registration, _ = confirmed_paid(
        client, localstripe, webinar, django_capture_on_commit_callbacks
    )
    client.force_login(registration.user)
    url = reverse("webinars:seat_cancel", args=[webinar.pk])
    response = client.post(url, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json() == {"refund_amount": "120.00", "currency": "CHF"}
    again = client.post(url, HTTP_ACCEPT="application/json")
    assert again.status_code == 409
    assert client.get(url).status_code == 409
    assert Payment.objects.get(pk=registration.payment_id).amount_refunded == Decimal("120.00")


def test_a_non_attendee_gets_404_and_anonymous_is_sent_to_log_in(client):
    webinar = WebinarFactory()
    RegistrationFactory(webinar=webinar)
    url = reverse("webinars:seat_cancel", args=[webinar.pk])
    assert client.post(url).status_code == 302
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert live_seat_count(webinar_id=webinar.pk) == 1


def test_once_the_webinar_started_it_is_a_400(client):
    webinar = WebinarFactory(slots__starts_in=timedelta(minutes=-10))
    registration = RegistrationFactory(webinar=webinar)
    client.force_login(registration.user)
    url = reverse("webinars:seat_cancel", args=[webinar.pk])
    assert client.post(url, HTTP_ACCEPT="application/json").status_code == 400
    response = client.post(url)
    assert response.status_code == 400 and "already started" in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == SeatStatus.CONFIRMED
    with pytest.raises(SeatCancelClosed):
        seat_cancel(webinar_id=webinar.pk, user=registration.user)


def test_a_free_seat_is_cancelled_without_a_refund(client):
    webinar = WebinarFactory(price=Decimal("0"))
    registration = RegistrationFactory(webinar=webinar, amount=Decimal("0"))
    client.force_login(registration.user)
    response = client.post(
        reverse("webinars:seat_cancel", args=[webinar.pk]), HTTP_ACCEPT="application/json"
    )
    assert response.json() == {"refund_amount": "0", "currency": "CHF"}
    registration.refresh_from_db()
    assert registration.status == SeatStatus.CANCELLED and registration.refund_amount == 0
    with pytest.raises(SeatAlreadyCancelled):
        seat_cancel(webinar_id=webinar.pk, user=registration.user)


def test_dropping_below_the_minimum_goes_back_to_waiting_for_attendees(client):
    webinar = WebinarFactory(price=Decimal("0"), min_attendees=2)
    first = RegistrationFactory(webinar=webinar, amount=Decimal("0"))
    RegistrationFactory(webinar=webinar, amount=Decimal("0"))
    assert webinar.status == Webinar.Status.SCHEDULED
    seat_cancel(webinar_id=webinar.pk, user=first.user)
    webinar.refresh_from_db()
    assert webinar.status == Webinar.Status.PENDING_MINIMUM
    note = Notification.objects.get(recipient=webinar.coach.user, type="webinar_attendee_cancelled")
    assert "below your minimum of 2" in note.body


def test_a_refund_stripe_refuses_is_owed_and_the_sweep_settles_it(
    client, localstripe, django_capture_on_commit_callbacks, settings
):
    webinar = WebinarFactory()
    registration, payment = confirmed_paid(
        client, localstripe, webinar, django_capture_on_commit_callbacks
    )
    from conftest import free_port

    working = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{free_port()}"  # Stripe unreachable
    result = seat_cancel(webinar_id=webinar.pk, user=registration.user)
    assert result.refund.amount == Decimal("120.00")
    payment.refresh_from_db()
    registration.refresh_from_db()
    assert registration.status == SeatStatus.CANCELLED and registration.refund_amount == Decimal(
        "120.00"
    )
    assert payment.status == Payment.Status.COMPLETED and payment.amount_refunded == 0
    settings.STRIPE_API_BASE = working
    assert seat_refunds_settle() == 1
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    assert seat_refunds_settle() == 0  # settled once, never twice


def test_my_bookings_and_the_webinar_page_offer_the_cancellation(client):
    webinar = WebinarFactory()
    registration = RegistrationFactory(webinar=webinar)
    client.force_login(registration.user)
    url = reverse("webinars:seat_cancel", args=[webinar.pk])
    detail = client.get(webinar.get_absolute_url()).content.decode()
    assert f'href="{url}"' in detail and f'hx-get="{url}"' in detail
    assert "Cancel more than 48 hours before the start for a full refund" in detail
    modal = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert modal.lstrip().startswith("<dialog") and "data-close-modal" in modal
    # From My Bookings the step goes back there (a path on this site only).
    mine = client.get("/bookings/mine/").content.decode()
    assert f'href="{url}?next=/bookings/mine/"' in mine
    page = client.get(f"{url}?next=/bookings/mine/").content.decode()
    assert 'name="next" value="/bookings/mine/"' in page
    evil = client.get(f"{url}?next=https://evil.example/").content.decode()
    assert 'name="next" value="https://evil.example/"' not in evil
    response = client.post(url, {"next": "/bookings/mine/"})
    assert response["Location"] == "/bookings/mine/"
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert "You cancelled" in client.get("/bookings/mine/").content.decode()
