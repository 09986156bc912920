"""The email provider's tracking webhook at /notifications/email/events/ (anymail's own view,
verified as anymail verifies it) marks outbox rows and suppresses bounced addresses.

Payloads are in the providers' real formats (Postmark's Bounce / Delivery / SpamComplaint
webhooks, Mailgun's signed JSON webhooks: the shapes anymail's own tests and the providers'
docs use); they are posted through the test client with basic auth, as the provider would.
The provider itself is outside our process: messages go to anymail's test backend, which
gives each one a provider message id as Postmark's API would."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
from django.core import mail

from accounts.tests.factories import PASSWORD, UserFactory
from notifications import emails, suppressions
from notifications.models import (
    EmailDeliveryEvent,
    EmailSuppression,
    Notification,
    OutboundEmail,
)
from notifications.services import notify
from notifications.types import NotificationType

pytestmark = pytest.mark.django_db
URL = "/notifications/email/events/"
SECRET = "anymail:webhook-secret"
MAILGUN_KEY = "mailgun-webhook-signing-key"


def basic_auth(secret: str = SECRET) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


@pytest.fixture
def postmark(settings):
    settings.EMAIL_PROVIDER = "postmark"
    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "test-token", "WEBHOOK_SECRET": SECRET}
    settings.EMAIL_BACKEND = "notifications.tests.backends.ProviderLikeBackend"


@pytest.fixture
def mailgun(settings):
    settings.EMAIL_PROVIDER = "mailgun"
    settings.ANYMAIL = {
        "MAILGUN_API_KEY": "key-test",
        "MAILGUN_SENDER_DOMAIN": "mg.example.com",
        "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY,
        "WEBHOOK_SECRET": SECRET,
    }
    settings.EMAIL_BACKEND = "notifications.tests.backends.ProviderLikeBackend"


def _welcome(user, committed) -> OutboundEmail:
    with committed():
        notify(recipient=user, type=NotificationType.WELCOME)
    return OutboundEmail.objects.filter(to_email=user.email).latest("pk")


def postmark_bounce(message_id: str, email: str, *, bounce_type="HardBounce", event_id=901542550):
    return {
        "RecordType": "Bounce",
        "ID": event_id,
        "Type": bounce_type,
        "TypeCode": 1 if bounce_type == "HardBounce" else 4096,
        "ServerID": 23,
        "Name": "Hard bounce" if bounce_type == "HardBounce" else "Soft bounce",
        "MessageID": message_id,
        "MessageStream": "outbound",
        "Description": "The server was unable to deliver your message (ex: unknown user, "
        "mailbox not found).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": email,
        "From": "hello@coaching.local",
        "BouncedAt": "2026-12-02T16:28:50.3963933-04:00",
        "DumpAvailable": True,
        "Inactive": True,
        "CanActivate": True,
        "Subject": "Welcome",
        "Content": "...",
    }


def postmark_delivery(message_id: str, email: str):
    return {
        "RecordType": "Delivery",
        "ServerID": 23,
        "MessageStream": "outbound",
        "MessageID": message_id,
        "Recipient": email,
        "Tag": "",
        "DeliveredAt": "2026-12-02T13:28:10.2735393-04:00",
        "Details": "Test delivery webhook details",
        "Metadata": {},
    }


def postmark_spam(message_id: str, email: str):
    return {
        "RecordType": "SpamComplaint",
        "ID": 901542551,
        "Type": "SpamComplaint",
        "TypeCode": 512,
        "Name": "Spam complaint",
        "Tag": "",
        "MessageID": message_id,
        "ServerID": 23,
        "Description": "",
        "Details": "Test spam complaint details",
        "Email": email,
        "From": "hello@coaching.local",
        "BouncedAt": "2026-12-02T16:28:50.3963933-04:00",
        "DumpAvailable": True,
        "Inactive": True,
        "CanActivate": False,
        "Subject": "Welcome",
    }


def post_json(client, payload, **headers):
    return client.post(URL, json.dumps(payload), content_type="application/json", **headers)


def test_sent_row_keeps_the_provider_message_id(client, postmark, committed):
    user = UserFactory()
    row = _welcome(user, committed)
    assert row.status == OutboundEmail.Status.SENT
    assert row.provider_message_id
    assert mail.outbox[-1].anymail_status.message_id == row.provider_message_id


def test_postmark_hard_bounce_suppresses_the_address(client, postmark, committed):
    user = UserFactory(email="bounce@example.com")
    row = _welcome(user, committed)

    response = post_json(
        client, postmark_bounce(row.provider_message_id, user.email), **basic_auth()
    )

    assert response.status_code == 200
    row.refresh_from_db()
    assert row.delivery_status == OutboundEmail.Delivery.BOUNCED
    event = EmailDeliveryEvent.objects.get()
    assert (event.provider, event.event_type, event.email_id) == ("Postmark", "bounced", row.pk)
    suppression = EmailSuppression.objects.get(email="bounce@example.com")
    assert suppression.reason == EmailSuppression.Reason.BOUNCED and suppression.is_active

    # The next email to the address is skipped; the in-app notification is still written.
    sent_before = len(mail.outbox)
    with committed():
        notification = notify(
            recipient=user,
            type=NotificationType.BOOKING_REQUEST_SENT,
            context={"link": "/bookings/mine/"},
        )
    assert notification is not None and Notification.objects.filter(pk=notification.pk).exists()
    skipped = OutboundEmail.objects.filter(to_email=user.email).latest("pk")
    assert skipped.status == OutboundEmail.Status.SUPPRESSED
    assert len(mail.outbox) == sent_before

    # The user sees a banner on every page, pointing at their email settings.
    client.force_login(user)
    for page in ("/notifications/", "/accounts/settings/"):
        html = client.get(page).content.decode()
        assert 'id="email-suppressed-banner"' in html
        assert "/accounts/settings/#email-heading" in html


def test_the_same_webhook_twice_takes_effect_once(client, postmark, committed):
    user = UserFactory(email="bounce@example.com")
    row = _welcome(user, committed)
    payload = postmark_bounce(row.provider_message_id, user.email)
    assert post_json(client, payload, **basic_auth()).status_code == 200
    assert post_json(client, payload, **basic_auth()).status_code == 200
    assert EmailDeliveryEvent.objects.count() == 1
    assert EmailSuppression.objects.count() == 1


def test_wrong_or_missing_credentials_are_refused_and_nothing_is_written(
    client, postmark, committed
):
    user = UserFactory(email="bounce@example.com")
    row = _welcome(user, committed)
    payload = postmark_bounce(row.provider_message_id, user.email)
    for headers in ({}, basic_auth("anymail:wrong"), basic_auth("other:webhook-secret")):
        response = post_json(client, payload, **headers)
        assert 400 <= response.status_code < 500, response.status_code
    assert not EmailDeliveryEvent.objects.exists()
    assert not EmailSuppression.objects.exists()
    row.refresh_from_db()
    assert row.delivery_status == OutboundEmail.Delivery.UNKNOWN


def test_delivered_event_marks_the_row_delivered(client, postmark, committed):
    user = UserFactory()
    row = _welcome(user, committed)
    response = post_json(
        client, postmark_delivery(row.provider_message_id, user.email), **basic_auth()
    )
    assert response.status_code == 200
    row.refresh_from_db()
    assert row.delivery_status == OutboundEmail.Delivery.DELIVERED
    assert row.delivery_updated_at is not None
    assert not EmailSuppression.objects.exists()


def test_spam_complaint_suppresses_and_a_late_delivery_report_does_not_undo_it(
    client, postmark, committed
):
    user = UserFactory(email="spam@example.com")
    row = _welcome(user, committed)
    assert post_json(client, postmark_spam(row.provider_message_id, user.email), **basic_auth())
    post_json(client, postmark_delivery(row.provider_message_id, user.email), **basic_auth())
    row.refresh_from_db()
    assert row.delivery_status == OutboundEmail.Delivery.COMPLAINED
    assert EmailSuppression.objects.get(email=user.email).reason == "complained"
    client.force_login(user)
    assert "reported as spam" in client.get("/notifications/").content.decode()


def test_soft_bounce_does_not_suppress(client, postmark, committed):
    user = UserFactory(email="full@example.com")
    row = _welcome(user, committed)
    payload = postmark_bounce(row.provider_message_id, user.email, bounce_type="SoftBounce")
    assert post_json(client, payload, **basic_auth()).status_code == 200
    assert not EmailSuppression.objects.exists()


def test_a_suppression_queued_before_the_send_still_stops_it(postmark, committed):
    """The bounce arrives between queueing and sending: the send finds it and skips."""
    user = UserFactory(email="late@example.com")
    with committed():
        notify(recipient=user, type=NotificationType.WELCOME)
        EmailSuppression.objects.create(email="late@example.com", reason="bounced")
    row = OutboundEmail.objects.get(to_email="late@example.com")
    # Written before the suppression existed, so queued; the send then skipped it.
    assert row.status == OutboundEmail.Status.SUPPRESSED
    assert emails.outbound_email_send(email_id=row.pk).status == "skipped"
    assert not [m for m in mail.outbox if m.to == ["late@example.com"]]


def test_staff_lift_a_suppression_and_email_goes_out_again(client, postmark, committed):
    user = UserFactory(email="bounce@example.com")
    suppression = suppressions.email_suppress(email=user.email, reason="bounced")
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.post(
        "/admin/notifications/emailsuppression/",
        {"action": "lift", "_selected_action": [suppression.pk]},
    )
    assert response.status_code == 302
    suppression.refresh_from_db()
    assert not suppression.is_active
    assert _welcome(user, committed).status == OutboundEmail.Status.SENT
    client.force_login(user)
    assert 'id="email-suppressed-banner"' not in client.get("/notifications/").content.decode()


def test_confirming_a_new_address_clears_the_banner(client, postmark, committed):
    user = UserFactory(email="old@example.com")
    suppressions.email_suppress(email="old@example.com", reason="bounced")
    client.force_login(user)
    assert 'id="email-suppressed-banner"' in client.get("/notifications/").content.decode()
    with committed():
        client.post(
            "/accounts/settings/email/",
            {"email-email": "new@example.com", "email-password": PASSWORD},
        )
    message = next(m for m in mail.outbox if m.to == ["new@example.com"])
    link = next(word for word in message.body.split() if "/accounts/verify/" in word)
    client.get(link.split("://", 1)[1].split("/", 1)[1].join(["/", ""]))
    user.refresh_from_db()
    assert user.email == "new@example.com"
    assert 'id="email-suppressed-banner"' not in client.get("/notifications/").content.decode()


@pytest.mark.parametrize("body", ["{not json", "[]", '{"FromFull": {"Email": "a@b.c"}}', "null"])
def test_malformed_payload_with_valid_credentials_is_400_and_nothing_written(
    client, postmark, body
):
    response = client.post(URL, body, content_type="application/json", **basic_auth())
    assert response.status_code == 400
    assert not EmailDeliveryEvent.objects.exists()


def test_no_provider_configured_answers_404(client, settings):
    settings.EMAIL_PROVIDER = "smtp"
    assert post_json(client, {"RecordType": "Bounce"}, **basic_auth()).status_code == 404


# --- Mailgun ---------------------------------------------------------------------------------


def mailgun_signed(event_data: dict, key: str = MAILGUN_KEY) -> dict:
    timestamp = str(int(time.time()))
    token = hashlib.sha256(f"token-{time.time_ns()}".encode()).hexdigest()[:50]
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": event_data,
    }


def mailgun_failed(message_id: str, email: str, severity: str = "permanent") -> dict:
    return {
        "event": "failed",
        "severity": severity,
        "reason": "bounce",
        "recipient": email,
        "timestamp": time.time(),
        "log-level": "error",
        "id": "G9Bn5sl1TC6_QnJkYe3YWQ",
        "message": {
            "headers": {
                "to": email,
                "message-id": message_id.strip("<>"),
                "from": "hello@coaching.local",
                "subject": "Welcome",
            }
        },
        "delivery-status": {
            "tls": True,
            "mx-host": "mx.example.com",
            "attempt-no": 1,
            "description": "",
            "code": 550,
            "message": "5.1.1 The email account that you tried to reach does not exist.",
        },
    }


def test_mailgun_permanent_failure_suppresses(client, mailgun, committed):
    user = UserFactory(email="gone@example.com")
    row = _welcome(user, committed)
    row.provider_message_id = "<20261202164658.1.0DF563D0B3597700@mg.example.com>"
    row.save(update_fields=["provider_message_id"])
    payload = mailgun_signed(mailgun_failed(row.provider_message_id, user.email))
    response = post_json(client, payload, **basic_auth())
    assert response.status_code == 200
    row.refresh_from_db()
    assert row.delivery_status == OutboundEmail.Delivery.BOUNCED
    assert EmailSuppression.objects.get(email=user.email).reason == "bounced"


def test_mailgun_temporary_failure_only_defers(client, mailgun, committed):
    user = UserFactory(email="later@example.com")
    row = _welcome(user, committed)
    payload = mailgun_signed(mailgun_failed(f"<{row.pk}@mg.example.com>", user.email, "temporary"))
    assert post_json(client, payload, **basic_auth()).status_code == 200
    assert not EmailSuppression.objects.exists()


def test_mailgun_wrong_signature_is_refused(client, mailgun):
    payload = mailgun_signed(mailgun_failed("<x@mg.example.com>", "gone@example.com"), "wrong")
    assert post_json(client, payload, **basic_auth()).status_code == 400
    assert not EmailDeliveryEvent.objects.exists()
    assert not EmailSuppression.objects.exists()
