"""Issue 15 #4: a full webinar offers "Join the waitlist". A freed seat is held for the first
person in line for WAITLIST_OFFER_HOURS (told in-app and by email); they pay through the
normal register step, which uses that hold; an unused offer passes to the next person; an
offer taken after it passed is refused clearly and charges nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Block
from accounts.tests.factories import UserFactory
from notifications.models import Notification
from payments.models import Payment
from webinars.errors import (
    AlreadyRegistered,
    NotBookable,
    OfferExpired,
    OwnWebinar,
    WebinarFull,
)
from webinars.models import Registration, WaitlistEntry
from webinars.selectors import waitlist_place
from webinars.services import (
    holds_expire,
    live_seat_count,
    registration_release,
    seat_cancel,
    waitlist_join,
    waitlist_leave,
    webinar_cancel,
    webinar_register,
)
from webinars.tests.factories import HeldRegistrationFactory, RegistrationFactory, WebinarFactory
from webinars.tests.payment_helpers import deliver

pytestmark = pytest.mark.django_db
WaitStatus = WaitlistEntry.Status
SeatStatus = Registration.Status


def full_webinar(seats=2, **kwargs):
    webinar = WebinarFactory(max_attendees=seats, **kwargs)
    attendees = [RegistrationFactory(webinar=webinar, amount=webinar.price) for _ in range(seats)]
    return webinar, attendees


def test_joining_a_full_webinar_shows_the_place_in_line(client):
    webinar, _ = full_webinar()
    first, second = UserFactory(), UserFactory()
    waitlist_join(webinar_id=webinar.pk, user=first)
    client.force_login(second)
    page = client.get(webinar.get_absolute_url()).content.decode()
    url = reverse("webinars:waitlist_join", args=[webinar.pk])
    assert "Join the waitlist" in page and f'action="{url}"' in page
    response = client.post(url, HTTP_ACCEPT="application/json")
    assert response.json() == {"status": "waiting", "position": 2}
    page = client.get(webinar.get_absolute_url()).content.decode()
    assert "You're number 2 on the waitlist." in page and "Leave the waitlist" in page
    assert "Join the waitlist" not in page
    mine = client.get("/bookings/mine/").content.decode()
    assert "Number 2 in line" in mine


def test_joining_twice_keeps_one_place(client):
    webinar, _ = full_webinar()
    user = UserFactory()
    client.force_login(user)
    url = reverse("webinars:waitlist_join", args=[webinar.pk])
    client.post(url)
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert (
        response.status_code == 200
        and "You're number 1 on the waitlist." in response.content.decode()
    )
    assert WaitlistEntry.objects.filter(webinar=webinar, user=user).count() == 1


def test_a_webinar_with_free_seats_is_booked_instead_400(client):
    webinar = WebinarFactory(max_attendees=5)
    client.force_login(UserFactory())
    url = reverse("webinars:waitlist_join", args=[webinar.pk])
    response = client.post(url, HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and "book one instead" in response.json()["message"]
    assert not WaitlistEntry.objects.exists()
    page = client.get(webinar.get_absolute_url()).content.decode()
    assert "Join the waitlist" not in page and "Book webinar" in page


def test_no_waitlist_for_an_attendee_the_coach_a_blocked_client_or_anonymous(client):
    webinar, attendees = full_webinar()
    with pytest.raises(AlreadyRegistered):
        waitlist_join(webinar_id=webinar.pk, user=attendees[0].user)
    with pytest.raises(OwnWebinar):
        waitlist_join(webinar_id=webinar.pk, user=webinar.coach.user)
    blocked = UserFactory()
    Block.objects.create(blocker=webinar.coach.user, blocked=blocked)
    with pytest.raises(NotBookable):
        waitlist_join(webinar_id=webinar.pk, user=blocked)
    url = reverse("webinars:waitlist_join", args=[webinar.pk])
    assert client.post(url).status_code == 302  # to the login page
    client.force_login(attendees[0].user)
    assert client.post(url, HTTP_ACCEPT="application/json").status_code == 409
    page = client.get(webinar.get_absolute_url()).content.decode()
    assert "Join the waitlist" not in page
    assert not WaitlistEntry.objects.exists()


def test_a_freed_seat_is_offered_to_the_first_in_line_told_in_app_and_by_email(
    django_capture_on_commit_callbacks,
):
    webinar, attendees = full_webinar()
    first, second = UserFactory(), UserFactory()
    waitlist_join(webinar_id=webinar.pk, user=first)
    waitlist_join(webinar_id=webinar.pk, user=second)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        seat_cancel(webinar_id=webinar.pk, user=attendees[0].user)
    offer = WaitlistEntry.objects.get(user=first)
    assert offer.status == WaitStatus.OFFERED
    hold = offer.registration
    assert hold.status == SeatStatus.HELD and hold.user == first and hold.payment_id is None
    assert hold.hold_expires_at == offer.offer_expires_at
    assert hold.hold_expires_at > timezone.now() + timedelta(hours=11)
    assert live_seat_count(webinar_id=webinar.pk) == webinar.max_attendees  # never oversold
    assert WaitlistEntry.objects.get(user=second).status == WaitStatus.WAITING
    assert waitlist_place(webinar_id=webinar.pk, user=second)[1] == 1
    note = Notification.objects.get(recipient=first, type="webinar_waitlist_offer")
    assert "held for you" in note.body and webinar.title in note.title
    assert [m.to for m in mail.outbox if "seat is free" in m.subject] == [[first.email]]


def test_the_offered_person_pays_through_the_normal_register_step(
    client, localstripe, django_capture_on_commit_callbacks
):
    from payments.services import payment_confirm
    from payments.tests.stripe_helpers import localstripe_events, saved_card

    webinar, attendees = full_webinar()
    person = UserFactory()
    waitlist_join(webinar_id=webinar.pk, user=person)
    seat_cancel(webinar_id=webinar.pk, user=attendees[1].user)
    hold = WaitlistEntry.objects.get(user=person).registration
    client.force_login(person)
    page = client.get(webinar.get_absolute_url()).content.decode()
    assert "data-waitlist-offer" in page and "Continue to payment" in page
    response = client.post(
        reverse("webinars:register", args=[webinar.pk]), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200 and response.json()["registration_id"] == hold.pk
    payment = Payment.objects.get(stripe_payment_intent_id=response.json()["payment_intent_id"])
    assert payment.amount_total == Decimal("120.00")
    payment_confirm(
        user=person,
        payment_intent_id=payment.stripe_payment_intent_id,
        payment_method_id=saved_card(person),
    )
    [event] = localstripe_events(
        localstripe["base"],
        event_type="payment_intent.succeeded",
        payment_intent_id=payment.stripe_payment_intent_id,
    )
    deliver(client, event, django_capture_on_commit_callbacks)
    hold.refresh_from_db()
    assert hold.status == SeatStatus.CONFIRMED
    assert WaitlistEntry.objects.get(user=person).status == WaitStatus.BOOKED
    assert live_seat_count(webinar_id=webinar.pk) == webinar.max_attendees


def test_an_unused_offer_passes_to_the_next_and_taking_it_late_is_refused_without_charge(client):
    webinar, attendees = full_webinar()
    first, second = UserFactory(), UserFactory()
    waitlist_join(webinar_id=webinar.pk, user=first)
    waitlist_join(webinar_id=webinar.pk, user=second)
    seat_cancel(webinar_id=webinar.pk, user=attendees[0].user)
    offer = WaitlistEntry.objects.get(user=first)
    holds_expire(now=offer.offer_expires_at + timedelta(minutes=1))
    offer.refresh_from_db()
    assert offer.status == WaitStatus.EXPIRED and offer.registration.status == SeatStatus.EXPIRED
    following = WaitlistEntry.objects.get(user=second)
    assert (
        following.status == WaitStatus.OFFERED and following.registration.status == SeatStatus.HELD
    )
    assert Notification.objects.filter(recipient=second, type="webinar_waitlist_offer").exists()
    client.force_login(first)
    response = client.post(
        reverse("webinars:register", args=[webinar.pk]), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 409
    assert "went to the next person in line" in response.json()["message"]
    assert not Payment.objects.filter(payer=first).exists()
    with pytest.raises(OfferExpired):
        webinar_register(webinar_id=webinar.pk, user=first)


def test_leaving_the_waitlist_and_declining_an_offer_pass_the_seat_on(client):
    webinar, attendees = full_webinar()
    first, second, third = UserFactory(), UserFactory(), UserFactory()
    for user in (first, second, third):
        waitlist_join(webinar_id=webinar.pk, user=user)
    client.force_login(second)
    response = client.post(
        reverse("webinars:waitlist_leave", args=[webinar.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "Join the waitlist" in response.content.decode()
    assert WaitlistEntry.objects.get(user=second).status == WaitStatus.LEFT
    seat_cancel(webinar_id=webinar.pk, user=attendees[0].user)
    assert WaitlistEntry.objects.get(user=first).status == WaitStatus.OFFERED
    waitlist_leave(webinar_id=webinar.pk, user=first)  # no thanks: to the next one
    assert WaitlistEntry.objects.get(user=first).status == WaitStatus.LEFT
    assert WaitlistEntry.objects.get(user=first).registration.status == SeatStatus.CANCELLED
    assert WaitlistEntry.objects.get(user=third).status == WaitStatus.OFFERED
    assert live_seat_count(webinar_id=webinar.pk) == webinar.max_attendees
    client.force_login(UserFactory())
    response = client.post(
        reverse("webinars:waitlist_leave", args=[webinar.pk]), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 404


def test_releasing_the_offered_hold_from_the_payment_step_offers_the_next(client):
    webinar, attendees = full_webinar()
    first, second = UserFactory(), UserFactory()
    waitlist_join(webinar_id=webinar.pk, user=first)
    waitlist_join(webinar_id=webinar.pk, user=second)
    seat_cancel(webinar_id=webinar.pk, user=attendees[0].user)
    hold = WaitlistEntry.objects.get(user=first).registration
    registration_release(registration_id=hold.pk, user=first)
    assert WaitlistEntry.objects.get(user=first).status == WaitStatus.LEFT
    assert WaitlistEntry.objects.get(user=second).status == WaitStatus.OFFERED


def test_a_newcomer_cannot_take_a_freed_seat_ahead_of_the_line():
    webinar = WebinarFactory(max_attendees=2)
    RegistrationFactory(webinar=webinar)
    stale = HeldRegistrationFactory(webinar=webinar)
    waiting = UserFactory()
    waitlist_join(webinar_id=webinar.pk, user=waiting)
    # The hold runs out; before any sweep, someone new tries to book the seat it frees.
    type(stale).objects.filter(pk=stale.pk).update(
        hold_expires_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(WebinarFull):
        webinar_register(webinar_id=webinar.pk, user=UserFactory())
    assert WaitlistEntry.objects.get(user=waiting).status == WaitStatus.OFFERED
    assert live_seat_count(webinar_id=webinar.pk) == 2


def test_a_free_webinar_offer_is_confirmed_by_the_register_step(client):
    webinar, attendees = full_webinar(price=Decimal("0"))
    person = UserFactory()
    waitlist_join(webinar_id=webinar.pk, user=person)
    seat_cancel(webinar_id=webinar.pk, user=attendees[0].user)
    client.force_login(person)
    response = client.post(
        reverse("webinars:register", args=[webinar.pk]), HTTP_ACCEPT="application/json"
    )
    assert response.json()["free_booking"] is True
    assert Registration.objects.get(webinar=webinar, user=person).status == SeatStatus.CONFIRMED
    assert WaitlistEntry.objects.get(user=person).status == WaitStatus.BOOKED


def test_cancelling_the_webinar_ends_the_waitlist():
    webinar, _ = full_webinar(price=Decimal("0"))
    person = UserFactory()
    waitlist_join(webinar_id=webinar.pk, user=person)
    webinar_cancel(webinar_id=webinar.pk, by=webinar.coach.user, reason="Ill.")
    assert WaitlistEntry.objects.get(user=person).status == WaitStatus.ENDED
    with pytest.raises(NotBookable):
        waitlist_join(webinar_id=webinar.pk, user=UserFactory())


def test_the_coach_sees_the_waitlist(client):
    webinar, _ = full_webinar()
    person = UserFactory(first_name="Wanda", last_name="Waiting")
    waitlist_join(webinar_id=webinar.pk, user=person)
    client.force_login(webinar.coach.user)
    page = client.get(reverse("webinars:attendees", args=[webinar.pk])).content.decode()
    assert "Wanda Waiting" in page and person.email in page
    detail = client.get(webinar.get_absolute_url()).content.decode()
    assert "1 on the waitlist" in detail


def test_an_offer_never_outlasts_the_start():
    webinar, attendees = full_webinar(slots__starts_in=timedelta(hours=3))
    person = UserFactory()
    waitlist_join(webinar_id=webinar.pk, user=person)
    seat_cancel(webinar_id=webinar.pk, user=attendees[0].user)
    offer = WaitlistEntry.objects.get(user=person)
    from webinars.services import webinar_starts_at

    assert offer.offer_expires_at == webinar_starts_at(webinar.pk)


def test_raising_the_capacity_offers_the_new_seats_to_the_line_in_order():
    from webinars.models import Webinar
    from webinars.services import webinar_seats_offer

    webinar, _ = full_webinar()
    people = [UserFactory() for _ in range(3)]
    for person in people:
        waitlist_join(webinar_id=webinar.pk, user=person)
    Webinar.objects.filter(pk=webinar.pk).update(max_attendees=4)
    offers = webinar_seats_offer(webinar_id=webinar.pk)
    assert [offer.user_id for offer in offers] == [people[0].pk, people[1].pk]
    assert WaitlistEntry.objects.get(user=people[2]).status == WaitStatus.WAITING
    assert live_seat_count(webinar_id=webinar.pk) == 4


def test_the_terms_must_be_in_order():
    from django.core.exceptions import ValidationError

    webinar = WebinarFactory.build(full_refund_hours=12, partial_refund_hours=24)
    with pytest.raises(ValidationError) as error:
        webinar.clean()
    assert "full_refund_hours" in error.value.message_dict
