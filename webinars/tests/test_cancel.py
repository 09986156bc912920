"""Cancelling a webinar: seats end, paid seats are refunded in full through the payments refund
service (ledger rows, localstripe refunds), holds are released and their intents cancelled,
everybody is told, the coach's page and the admin expose it, a late payment is refunded."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from notifications.models import Notification
from payments import gateway
from payments.models import Payment, Transaction
from payments.services import payments_reconcile
from webinars.errors import AlreadyCancelled, NotAllowedToCancel
from webinars.models import Registration, Webinar
from webinars.services import webinar_cancel, webinar_register
from webinars.services.cancellation import _cancel_locked, _PaymentsMoved
from webinars.tests.factories import RegistrationFactory, WebinarFactory
from webinars.tests.payment_helpers import deliver, paid

pytestmark = pytest.mark.django_db

REASON = "I am ill and cannot run the session."


def confirmed_paid(client, localstripe, webinar, capture, **user_kwargs):
    registration, payment, event = paid(localstripe, webinar, UserFactory(**user_kwargs))
    deliver(client, event, capture)
    registration.refresh_from_db()
    payment.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    return registration, payment


def cancel(webinar, by=None, capture=None, reason=REASON):
    by = by or webinar.coach.user
    if capture is None:
        return webinar_cancel(webinar_id=webinar.pk, by=by, reason=reason)
    with capture(execute=True):
        return webinar_cancel(webinar_id=webinar.pk, by=by, reason=reason)


def test_cancel_refunds_every_paid_attendee_in_full_through_the_ledger(
    client, localstripe, django_capture_on_commit_callbacks
):
    webinar = WebinarFactory()
    first, first_payment = confirmed_paid(
        client, localstripe, webinar, django_capture_on_commit_callbacks
    )
    second, second_payment = confirmed_paid(
        client, localstripe, webinar, django_capture_on_commit_callbacks
    )

    result = cancel(webinar, capture=django_capture_on_commit_callbacks)

    assert (result.refunded, result.refund_total) == (2, Decimal("240.00"))
    webinar.refresh_from_db()
    assert webinar.status == Webinar.Status.CANCELLED
    assert webinar.cancellation_reason == REASON and webinar.cancelled_at is not None
    for registration, payment in ((first, first_payment), (second, second_payment)):
        registration.refresh_from_db()
        payment.refresh_from_db()
        assert registration.status == Registration.Status.REFUNDED
        assert payment.status == Payment.Status.REFUNDED
        assert payment.amount_refunded == Decimal("120.00") and payment.refund_owed_reason == ""
        refund = Transaction.objects.get(payment=payment, kind=Transaction.Kind.REFUND)
        assert refund.amount == Decimal("120.00") and refund.stripe_object_id.startswith("re_")
        assert refund.note == "Webinar cancelled"
        intent = gateway.payment_intent_retrieve(payment.stripe_payment_intent_id).raw
        charge = intent["latest_charge"]
        assert charge["amount_refunded"] == 12000  # the money went back at (local) Stripe


def test_cancel_releases_holds_at_once_and_cancels_their_intents_after_commit(
    localstripe, django_capture_on_commit_callbacks
):
    webinar = WebinarFactory()
    holder = UserFactory()
    hold = webinar_register(webinar_id=webinar.pk, user=holder)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = webinar_cancel(webinar_id=webinar.pk, by=webinar.coach.user, reason=REASON)
        intent_id = hold.payment.stripe_payment_intent_id
        assert gateway.payment_intent_retrieve(intent_id).status != "canceled"
    for callback in callbacks:
        callback()

    assert result.released_holds == 1 and result.refunded == 0
    hold.registration.refresh_from_db()
    assert hold.registration.status == Registration.Status.CANCELLED
    assert Payment.objects.get(pk=hold.payment.pk).status == Payment.Status.CANCELLED
    assert gateway.payment_intent_retrieve(intent_id).status == "canceled"
    note = Notification.objects.get(recipient=holder, type="webinar_cancelled")
    assert "nothing is charged" in note.body
    assert not [m for m in mail.outbox if m.to == [holder.email]]  # in the app only


def test_every_attendee_gets_a_cancellation_email_with_cancel_ics_and_the_coach_is_told(
    client, localstripe, django_capture_on_commit_callbacks
):
    webinar = WebinarFactory(title="Leading remote teams")
    paid_seat, _payment = confirmed_paid(
        client, localstripe, webinar, django_capture_on_commit_callbacks
    )
    free_seat = RegistrationFactory(webinar=webinar, amount=Decimal("0"))
    mail.outbox.clear()

    cancel(webinar, capture=django_capture_on_commit_callbacks)

    [paid_mail] = [
        m
        for m in mail.outbox
        if m.to == [paid_seat.user.email] and "X-Document-Number" not in m.extra_headers
    ]  # the credit note is its own email (invoicing)
    assert paid_mail.subject == "Cancelled: Leading remote teams"
    assert f"Reason: {REASON}" in paid_mail.body
    assert "Your payment of CHF 120.00 is refunded in full" in paid_mail.body
    [(filename, ics, mimetype)] = paid_mail.attachments
    assert filename == "cancel.ics" and mimetype == "text/calendar; method=CANCEL"
    assert "METHOD:CANCEL" in ics and f"UID:webinar-{webinar.pk}@" in ics
    assert "STATUS:CANCELLED" in ics
    [free_mail] = [m for m in mail.outbox if m.to == [free_seat.user.email]]
    assert "refund" not in free_mail.body.lower()
    coach_note = Notification.objects.get(recipient=webinar.coach.user, type="webinar_cancelled")
    assert coach_note.body.startswith("You cancelled Leading remote teams on ")
    assert "1 attendee is refunded CHF 120.00 in total and told by email." in coach_note.body


def test_cancelling_twice_is_a_clear_error_and_changes_nothing(localstripe):
    webinar = WebinarFactory()
    cancel(webinar)
    with pytest.raises(AlreadyCancelled) as raised:
        cancel(webinar, reason="again")
    assert raised.value.status_code == 409
    assert raised.value.message == "This webinar is already cancelled."
    webinar.refresh_from_db()
    assert webinar.cancellation_reason == REASON
    assert Notification.objects.filter(type="webinar_cancelled").count() == 1  # the coach's


def test_only_the_coach_or_platform_staff_may_cancel(localstripe):
    webinar = WebinarFactory()
    with pytest.raises(NotAllowedToCancel):
        cancel(webinar, by=UserFactory())
    webinar.refresh_from_db()
    assert webinar.status == Webinar.Status.SCHEDULED
    staff = UserFactory(role=User.Role.STAFF)
    cancel(webinar, by=staff)
    webinar.refresh_from_db()
    assert webinar.status == Webinar.Status.CANCELLED
    note = Notification.objects.get(recipient=webinar.coach.user, type="webinar_cancelled")
    assert note.body.startswith("The platform team cancelled")


def test_a_seat_confirmed_with_a_payment_not_locked_rolls_the_cancellation_back(
    client, localstripe, django_capture_on_commit_callbacks
):
    """The guard behind "payments first": a webhook confirmed a seat between our unlocked read
    of the payment ids and the webinar lock, so we must not touch its payment unlocked."""
    webinar = WebinarFactory()
    confirmed_paid(client, localstripe, webinar, django_capture_on_commit_callbacks)
    with pytest.raises(_PaymentsMoved):
        _cancel_locked(webinar_id=webinar.pk, by=webinar.coach.user, reason="", payment_ids=[])
    webinar.refresh_from_db()
    assert webinar.status == Webinar.Status.SCHEDULED
    assert Registration.objects.get().status == Registration.Status.CONFIRMED


def test_a_late_payment_for_a_cancelled_webinar_is_refunded_and_the_user_told_it_was_cancelled(
    client, localstripe, django_capture_on_commit_callbacks
):
    webinar = WebinarFactory(title="Leading remote teams")
    registration, payment, event = paid(localstripe, webinar)  # paid, webhook not arrived yet
    cancel(webinar)  # the hold is released; its intent already took the money

    deliver(client, event, django_capture_on_commit_callbacks)

    registration.refresh_from_db()
    payment.refresh_from_db()
    assert registration.status == Registration.Status.REFUNDED
    assert payment.status == Payment.Status.REFUNDED
    assert Transaction.objects.filter(payment=payment, kind="refund").count() == 1
    told = Notification.objects.filter(recipient=registration.user).order_by("pk").last()
    assert told.type == "webinar_cancelled"
    assert "arrived after the cancellation and is refunded in full" in told.body
    assert f"Reason: {REASON}" in told.body
    assert not Notification.objects.filter(type="webinar_booking_failed_full").exists()
    assert not Notification.objects.filter(type="payment_received").exists()


def test_a_refund_stripe_refused_during_cancellation_is_owed_and_reconciled(
    client, localstripe, settings, django_capture_on_commit_callbacks
):
    from conftest import free_port

    webinar = WebinarFactory()
    registration, payment = confirmed_paid(
        client, localstripe, webinar, django_capture_on_commit_callbacks
    )
    working_base = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{free_port()}"  # Stripe down

    cancel(webinar, capture=django_capture_on_commit_callbacks)

    payment.refresh_from_db()
    assert payment.status == Payment.Status.COMPLETED
    assert payment.refund_owed_reason == "Webinar cancelled"
    settings.STRIPE_API_BASE = working_base
    assert payments_reconcile().refunds_retried == 1
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED and payment.refund_owed_reason == ""


# --- the coach's page ----------------------------------------------------------------------


def coach_client(webinar) -> Client:
    client = Client()
    client.force_login(webinar.coach.user)
    return client


def test_coach_page_shows_the_cancel_button_and_the_confirmation_step_with_refund_total(
    client, localstripe, django_capture_on_commit_callbacks
):
    webinar = WebinarFactory()
    confirmed_paid(client, localstripe, webinar, django_capture_on_commit_callbacks)
    confirmed_paid(client, localstripe, webinar, django_capture_on_commit_callbacks)
    coach = coach_client(webinar)
    cancel_url = reverse("webinars:cancel", args=[webinar.pk])

    # Destructive: not on every row of the coach's table, on the webinar's own page.
    listing = coach.get(reverse("webinars:coach_webinars")).content.decode()
    assert cancel_url not in listing
    detail = coach.get(reverse("webinars:detail", args=[webinar.pk])).content.decode()
    assert f'href="{cancel_url}"' in detail and "Cancel webinar" in detail

    page = coach.get(cancel_url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "2 paid attendees will be refunded CHF 240.00 in total" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<label for="id_reason" class="required">Reason (sent to the attendees)</label>' in html
    modal = coach.get(cancel_url, headers={"HX-Request": "true"}).content.decode()
    assert (
        '<dialog class="modal" data-modal' in modal
        and "CHF 240.00" in modal
        and "<html" not in modal
    )


def test_coach_confirms_with_a_reason_and_sees_what_happened(
    client, localstripe, django_capture_on_commit_callbacks
):
    webinar = WebinarFactory(title="Leading remote teams")
    confirmed_paid(client, localstripe, webinar, django_capture_on_commit_callbacks)
    coach = coach_client(webinar)

    with django_capture_on_commit_callbacks(execute=True):
        response = coach.post(
            reverse("webinars:cancel", args=[webinar.pk]), {"reason": REASON}, follow=True
        )

    assert response.redirect_chain[-1][0] == reverse("webinars:coach_webinars")
    html = response.content.decode()
    assert "“Leading remote teams” is cancelled. 1 attendee is refunded CHF 120.00" in html
    assert Payment.objects.get().status == Payment.Status.REFUNDED


def test_confirmation_without_a_reason_is_400_and_cancels_nothing(localstripe):
    webinar = WebinarFactory()
    response = coach_client(webinar).post(reverse("webinars:cancel", args=[webinar.pk]), {})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    webinar.refresh_from_db()
    assert webinar.status == Webinar.Status.SCHEDULED


def test_cancel_post_without_csrf_token_is_403(localstripe):
    webinar = WebinarFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(webinar.coach.user)
    response = client.post(reverse("webinars:cancel", args=[webinar.pk]), {"reason": REASON})
    assert response.status_code == 403
    webinar.refresh_from_db()
    assert webinar.status == Webinar.Status.SCHEDULED


def test_another_user_gets_403_on_the_cancel_page(localstripe):
    webinar = WebinarFactory()
    client = Client()
    client.force_login(UserFactory())
    url = reverse("webinars:cancel", args=[webinar.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": REASON}).status_code == 403
    webinar.refresh_from_db()
    assert webinar.status == Webinar.Status.SCHEDULED


def test_posting_the_cancellation_twice_answers_409_with_the_reason(localstripe):
    webinar = WebinarFactory()
    coach = coach_client(webinar)
    url = reverse("webinars:cancel", args=[webinar.pk])
    coach.post(url, {"reason": REASON})
    again = coach.post(url, {"reason": REASON})
    assert again.status_code == 409
    assert "This webinar is already cancelled." in again.content.decode()


def test_cancelled_webinar_page_says_so_and_offers_no_booking(localstripe):
    webinar = WebinarFactory()
    cancel(webinar)
    client = Client()
    client.force_login(UserFactory())
    html = client.get(reverse("webinars:detail", args=[webinar.pk])).content.decode()
    assert "Webinar cancelled" in html
    assert f"Reason: {REASON}" in html
    assert "This webinar has been cancelled." in html
    assert "Book webinar" not in html


# --- My Bookings ----------------------------------------------------------------------------


def my_bookings_entry(user, registration) -> str:
    """The user's My Bookings page, from the "Past and cancelled" heading to this entry's end."""
    client = Client()
    client.force_login(user)
    html = client.get("/bookings/mine/").content.decode()
    past = html.index("Past and cancelled")
    entry = html.index(f'id="my-registration-{registration.pk}"')
    assert past < entry, "the entry is not in the past and cancelled section"
    return html[entry : html.index("</li>", entry)]


def test_a_free_seat_of_a_cancelled_webinar_stays_in_my_bookings_as_cancelled_by_the_coach(
    localstripe,
):
    webinar = WebinarFactory(price=Decimal("0.00"), title="Intro to coaching")
    registration = webinar_register(webinar_id=webinar.pk, user=UserFactory()).registration

    cancel(webinar)

    entry = my_bookings_entry(registration.user, registration)
    assert "Intro to coaching" in entry and "Cancelled by the coach" in entry
    assert "Free seat, nothing to refund" in entry


def test_a_paid_seat_of_a_cancelled_webinar_shows_the_refunded_amount_in_my_bookings(
    client, localstripe, django_capture_on_commit_callbacks
):
    webinar = WebinarFactory(price=Decimal("120.00"))
    registration, _ = confirmed_paid(
        client, localstripe, webinar, django_capture_on_commit_callbacks
    )

    cancel(webinar, capture=django_capture_on_commit_callbacks)

    entry = my_bookings_entry(registration.user, registration)
    assert "Cancelled by the coach" in entry and "Refunded CHF 120.00" in entry


def test_a_refund_still_on_its_way_is_not_shown_as_refunded_in_my_bookings(
    client, localstripe, settings, django_capture_on_commit_callbacks
):
    from conftest import free_port

    webinar = WebinarFactory(price=Decimal("120.00"))
    registration, _ = confirmed_paid(
        client, localstripe, webinar, django_capture_on_commit_callbacks
    )
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{free_port()}"  # Stripe down: refund owed

    cancel(webinar, capture=django_capture_on_commit_callbacks)

    entry = my_bookings_entry(registration.user, registration)
    assert "Refund of CHF 120.00 on its way" in entry and "Refunded CHF" not in entry


def test_a_released_hold_is_not_listed_in_my_bookings(localstripe):
    webinar = WebinarFactory(title="Never booked")
    registration = webinar_register(webinar_id=webinar.pk, user=UserFactory()).registration

    cancel(webinar)  # the hold is released, the user never had a seat

    client = Client()
    client.force_login(registration.user)
    assert "Never booked" not in client.get("/bookings/mine/").content.decode()


# --- admin ----------------------------------------------------------------------------------


def test_admin_action_asks_for_a_reason_then_cancels_and_refunds(
    client, localstripe, django_capture_on_commit_callbacks
):
    webinar = WebinarFactory()
    confirmed_paid(client, localstripe, webinar, django_capture_on_commit_callbacks)
    coach = coach_client(webinar)
    changelist = reverse("admin:webinars_webinar_changelist")
    selection = {"action": "cancel_webinars", "_selected_action": [webinar.pk]}

    confirm_page = coach.post(changelist, selection)
    assert confirm_page.status_code == 200
    html = confirm_page.content.decode()
    assert "CHF 120.00" in html and 'name="reason"' in html
    webinar.refresh_from_db()
    assert webinar.status == Webinar.Status.SCHEDULED  # nothing happens before confirming

    with django_capture_on_commit_callbacks(execute=True):
        done = coach.post(
            changelist, {**selection, "confirm": "yes", "reason": REASON}, follow=True
        )
    assert "cancelled; 1 attendee(s) refunded CHF 120.00" in done.content.decode()
    webinar.refresh_from_db()
    assert webinar.status == Webinar.Status.CANCELLED
    assert Payment.objects.get().status == Payment.Status.REFUNDED


def test_admin_form_does_not_offer_cancelled_as_a_status(localstripe):
    # The status is read-only in the form: it changes only through the actions and services.
    webinar = WebinarFactory()
    coach = coach_client(webinar)
    html = coach.get(reverse("admin:webinars_webinar_change", args=[webinar.pk])).content.decode()
    assert 'name="status"' not in html
    assert '<option value="cancelled"' not in html
    assert "Scheduled" in html


def test_coach_cannot_cancel_another_coachs_webinar_through_the_admin(localstripe):
    mine, theirs = WebinarFactory(), WebinarFactory()
    coach = coach_client(mine)
    coach.post(
        reverse("admin:webinars_webinar_changelist"),
        {
            "action": "cancel_webinars",
            "_selected_action": [theirs.pk],
            "confirm": "yes",
            "reason": REASON,
        },
    )
    theirs.refresh_from_db()
    assert theirs.status == Webinar.Status.SCHEDULED


def test_held_seat_of_a_past_deadline_is_released_too(localstripe):
    webinar = WebinarFactory()
    RegistrationFactory(
        webinar=webinar,
        status=Registration.Status.HELD,
        confirmed_at=None,
        hold_expires_at=timezone.now() - timedelta(minutes=1),
    )
    result = cancel(webinar)
    assert result.released_holds == 1
    assert not Registration.objects.filter(status__in=Registration.LIVE_STATUSES).exists()
