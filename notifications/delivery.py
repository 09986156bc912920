"""The email provider's delivery reports, through django-anymail.

`/notifications/email/events/` is anymail's own tracking view for the configured provider
(`EMAIL_PROVIDER`: postmark or mailgun), so it is verified exactly as anymail verifies it
(HTTP basic auth with ANYMAIL["WEBHOOK_SECRET"]; Mailgun's HMAC signature with
MAILGUN_WEBHOOK_SIGNING_KEY as well). Anymail turns the provider's payload into one
normalized `tracking` signal per event; `tracking_event_record` (connected in apps.ready)
logs it once, marks the outbox row it is about, and suppresses the address on a hard bounce
or a spam complaint.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponseBadRequest
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from notifications import suppressions
from notifications.models import EmailDeliveryEvent, EmailSuppression, OutboundEmail

logger = logging.getLogger(__name__)

Delivery = OutboundEmail.Delivery

# anymail's normalized event types -> what the outbox row says. Opens and clicks are not
# tracked (we do not switch those on at the provider).
_DELIVERY_FOR_EVENT = {
    "delivered": Delivery.DELIVERED,
    "deferred": Delivery.DEFERRED,
    "bounced": Delivery.BOUNCED,
    "complained": Delivery.COMPLAINED,
    "rejected": Delivery.REJECTED,
}
# A later report never overwrites a worse one (a "delivered" arriving after the complaint).
_RANK = {
    Delivery.UNKNOWN: 0,
    Delivery.DEFERRED: 1,
    Delivery.DELIVERED: 2,
    Delivery.REJECTED: 3,
    Delivery.BOUNCED: 3,
    Delivery.COMPLAINED: 4,
}


def _tracking_view_class():
    provider = getattr(settings, "EMAIL_PROVIDER", "smtp")
    if provider == "postmark":
        from anymail.webhooks.postmark import PostmarkTrackingWebhookView

        return PostmarkTrackingWebhookView
    if provider == "mailgun":
        from anymail.webhooks.mailgun import MailgunTrackingWebhookView

        return MailgunTrackingWebhookView
    return None


@csrf_exempt
def email_events(request):
    """POST /notifications/email/events/ — anymail's tracking view for the configured
    provider (chosen per request, so the settings decide); 404 when email goes over SMTP."""
    view_class = _tracking_view_class()
    if view_class is None:
        raise Http404("No email provider webhook is configured.")
    from anymail.exceptions import AnymailConfigurationError, AnymailError

    try:
        return view_class.as_view()(request)
    except (
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        AnymailError,
        AnymailConfigurationError,
    ):
        # Authenticated, but not a payload of this provider (invalid JSON, a list, an inbound
        # webhook pointed here): anymail's parser raises; answer 400, never a 500.
        logger.warning("unreadable %s tracking webhook", view_class.esp_name, exc_info=True)
        return HttpResponseBadRequest("Not a tracking event of the configured provider.")


def suppression_reason(event) -> str:
    """The EmailSuppression reason for a normalized anymail event, or "" to keep sending.
    Hard bounces and complaints suppress; a Postmark "SoftBounce" (anymail reports it as
    bounced too) and deferrals do not; a rejection because the address is invalid or
    bounced before does."""
    esp_event = event.esp_event if isinstance(event.esp_event, dict) else {}
    if event.event_type == "complained":
        return EmailSuppression.Reason.COMPLAINED
    if event.event_type == "bounced":
        if esp_event.get("Type") == "SoftBounce":
            return ""
        return EmailSuppression.Reason.BOUNCED
    if event.event_type == "rejected" and event.reject_reason in ("invalid", "bounced"):
        return EmailSuppression.Reason.REJECTED
    return ""


def tracking_event_record(sender, event, esp_name, **kwargs) -> EmailDeliveryEvent | None:
    """anymail `tracking` signal receiver. Returns the logged event, or None when the provider
    sent this event before (its retry) and it already took effect."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                logged = EmailDeliveryEvent.objects.create(
                    provider=str(esp_name or "")[:32],
                    event_id=str(event.event_id or "")[:255],
                    event_type=str(event.event_type or "unknown")[:24],
                    message_id=str(event.message_id or "")[:255],
                    recipient=str(event.recipient or "")[:254],
                    reject_reason=str(event.reject_reason or "")[:24],
                    description=str(event.description or "")[:2000],
                    mta_response=str(event.mta_response or "")[:2000],
                    occurred_at=event.timestamp,
                )
        except IntegrityError:
            logger.info("%s event %s already recorded", esp_name, event.event_id)
            return None
        email = None
        if event.message_id:
            email = (
                OutboundEmail.objects.select_for_update()
                .filter(provider_message_id=str(event.message_id))
                .order_by("-pk")
                .first()
            )
        if email is not None:
            logged.email = email
            logged.save(update_fields=["email"])
            _mark(email, event.event_type)
        reason = suppression_reason(event)
        address = event.recipient or (email.to_email if email else "")
        if reason and address:
            suppressions.email_suppress(
                email=address,
                reason=reason,
                detail=str(event.mta_response or event.description or ""),
                event=logged,
            )
    return logged


def _mark(email: OutboundEmail, event_type: str) -> None:
    delivery = _DELIVERY_FOR_EVENT.get(event_type)
    if delivery is None or _RANK[delivery] < _RANK[Delivery(email.delivery_status)]:
        return
    email.delivery_status = delivery
    email.delivery_updated_at = timezone.now()
    email.save(update_fields=["delivery_status", "delivery_updated_at"])
