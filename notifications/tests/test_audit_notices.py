"""Words meant for people (issue 8, item 21): no internal refund reasons, percentages written
as people write them, and a "See other webinars" button that leads to other webinars."""

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings

from accounts.tests.factories import UserFactory
from bookings.services import transitions
from bookings.tests.factories import at
from bookings.tests.test_paid_flows import _confirmed_paid_booking, _offer
from notifications.models import Notification, OutboundEmail
from notifications.services import notify
from notifications.types import NotificationType
from webinars.tests.factories import RegistrationFactory, WebinarFactory

pytestmark = pytest.mark.django_db


def test_refund_notice_says_what_was_refunded_without_the_internal_reason(
    client, localstripe, django_capture_on_commit_callbacks
):
    coach, session_type, day = _offer(instant=True)
    user = UserFactory()
    client.force_login(user)
    booking = _confirmed_paid_booking(client, localstripe, user, coach, session_type, at(day, 10))
    with django_capture_on_commit_callbacks(execute=True):
        transitions.booking_cancel(
            user=user, booking_id=booking.pk, now=booking.start - dt.timedelta(hours=72)
        )

    notice = Notification.objects.get(recipient=user, type=NotificationType.PAYMENT_REFUNDED)
    email = OutboundEmail.objects.get(recipient=user, type=NotificationType.PAYMENT_REFUNDED)
    assert "We refunded CHF 150.00" in notice.body
    for text in (notice.body, email.body_text, email.body_html):
        assert f"Booking {booking.pk}" not in text
        assert "Reason:" not in text


def test_refund_notice_shows_a_reason_written_for_the_payer():
    registration = RegistrationFactory()
    notice = notify(
        recipient=registration.user,
        type=NotificationType.PAYMENT_REFUNDED,
        target=registration,
        context={
            "refund_amount": Decimal("20.00"),
            "reason": "Duplicate payment",  # the ledger's note
            "public_reason": "You paid twice for the same seat.",
        },
    )
    assert "You paid twice for the same seat." in notice.body
    assert "Duplicate payment" not in notice.body


@pytest.mark.parametrize("refund", [Decimal("20.00"), None])
def test_webinar_cancellation_email_links_see_other_webinars_to_the_webinar_list(refund):
    webinar = WebinarFactory(title="Leading teams")
    registration = RegistrationFactory(webinar=webinar)
    context = {"reason": "The coach is ill.", "refund_amount": refund}

    notice = notify(
        recipient=registration.user,
        type=NotificationType.WEBINAR_CANCELLED,
        target=registration,
        context={k: v for k, v in context.items() if v is not None},
    )

    email = OutboundEmail.objects.get(recipient=registration.user)
    assert notice.link == "/webinars/"
    assert f"See other webinars: {settings.SITE_URL}/webinars/\n" in email.body_text
    assert f"/webinars/{webinar.pk}/" not in email.body_text
    assert f'href="{settings.SITE_URL}/webinars/"' in email.body_html
