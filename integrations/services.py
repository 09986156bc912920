"""Connecting a coach's Calendly account, disconnecting it, and watching its subscription.

Calendly is called with no transaction open; the connection row is written after it answered
(a failed call writes nothing).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from integrations import crypto
from integrations.calendly.client import INVITEE_EVENTS, ROUTING_FORM_EVENT, CalendlyClient
from integrations.errors import CalendlyError, IntegrationError
from integrations.models import CalendlyConnection
from notifications.services import notify
from notifications.types import NotificationType

logger = logging.getLogger(__name__)


@dataclass
class Connected:
    connection: CalendlyConnection
    notice: str = ""  # e.g. routing forms refused: connected without them


def callback_url(webhook_token: str) -> str:
    path = reverse("integrations:calendly_webhook", args=[webhook_token])
    return settings.SITE_URL.rstrip("/") + path


def calendly_connect(*, coach, token: str, routing_forms: bool = False) -> Connected:
    """Check the token, register our webhook subscription with a signing key of our own, and
    store the connection (token and key encrypted). Replaces an earlier connection."""
    token = (token or "").strip()
    if not token or len(token) > 2000 or any(c.isspace() for c in token):
        raise IntegrationError("Paste the personal access token from Calendly.", code="token")
    client = CalendlyClient(token)
    me = client.get_current_user()
    user_uri, organization = me.get("uri", ""), me.get("current_organization", "")
    if not user_uri or not organization:
        raise CalendlyError("Calendly did not tell us your user and organization.")
    webhook_token = secrets.token_urlsafe(32)
    signing_key = secrets.token_urlsafe(32)
    url = callback_url(webhook_token)
    notice = ""
    subscription = None
    if routing_forms:
        # Routing form submissions exist only at organization scope, which needs an
        # organization owner or admin: refused (403) means we connect without them.
        try:
            subscription = client.create_webhook_subscription(
                url=url,
                events=[*INVITEE_EVENTS, ROUTING_FORM_EVENT],
                organization=organization,
                scope="organization",
                signing_key=signing_key,
            )
        except CalendlyError as exc:
            if exc.http_status != 403:
                raise
            notice = (
                "Calendly allows routing form submissions only to organization owners and "
                "admins, so we connected your bookings without them."
            )
    if subscription is None:
        subscription = client.create_webhook_subscription(
            url=url,
            events=list(INVITEE_EVENTS),
            organization=organization,
            user=user_uri,
            scope="user",
            signing_key=signing_key,
        )
    previous = CalendlyConnection.objects.filter(coach=coach).first()
    if previous is not None and previous.is_active and previous.subscription_uri:
        _delete_subscription_quietly(previous)
    connection = _store(
        coach=coach,
        token=token,
        signing_key=signing_key,
        webhook_token=webhook_token,
        me=me,
        subscription=subscription,
    )
    return Connected(connection, notice)


@transaction.atomic
def _store(*, coach, token, signing_key, webhook_token, me, subscription) -> CalendlyConnection:
    now = timezone.now()
    connection, _ = CalendlyConnection.objects.update_or_create(
        coach=coach,
        defaults={
            "token_encrypted": crypto.encrypt(token),
            "token_last4": token[-4:],
            "signing_key_encrypted": crypto.encrypt(signing_key),
            "webhook_token": webhook_token,
            "user_uri": me["uri"],
            "user_name": str(me.get("name") or "")[:200],
            "organization_uri": me["current_organization"],
            "scope": subscription.get("scope") or CalendlyConnection.Scope.USER,
            "events": list(subscription.get("events") or []),
            "subscription_uri": subscription.get("uri", ""),
            "state": CalendlyConnection.State.ACTIVE,
            "state_checked_at": now,
            "state_notified_at": None,
            "connected_at": now,
            "disconnected_at": None,
        },
    )
    return connection


def calendly_disconnect(*, coach) -> str:
    """Delete our subscription at Calendly (already gone is fine) and forget the token.
    Returns a notice for the coach when Calendly could not be told."""
    connection = CalendlyConnection.objects.filter(coach=coach).first()
    if connection is None or connection.state == CalendlyConnection.State.DISCONNECTED:
        return ""
    notice = ""
    if connection.subscription_uri:
        notice = _delete_subscription_quietly(connection)
    CalendlyConnection.objects.filter(pk=connection.pk).update(
        state=CalendlyConnection.State.DISCONNECTED,
        token_encrypted="",
        signing_key_encrypted="",
        subscription_uri="",
        disconnected_at=timezone.now(),
        updated_at=timezone.now(),
    )
    return notice


def _delete_subscription_quietly(connection: CalendlyConnection) -> str:
    try:
        client = CalendlyClient(crypto.decrypt(connection.token_encrypted))
        client.delete_webhook_subscription(connection.subscription_uri)
    except CalendlyError as exc:
        if exc.http_status == 404:
            return ""
        logger.warning("could not delete Calendly subscription of %s: %s", connection, exc)
        return (
            "Calendly could not be told to stop sending events "
            f"({exc.message}); we ignore them from now on. You can delete the webhook in "
            "Calendly's settings as well."
        )
    except ValueError:  # token unreadable (key rotated): nothing to call Calendly with
        return "We could not reach Calendly with the stored token; we ignore its events now."
    return ""


def calendly_check_subscription(*, connection_id: int) -> str:
    """Ask Calendly for the subscription's state (it disables one after 24 h of failed
    deliveries). Disabled or gone: the connection is marked and the coach told once."""
    connection = CalendlyConnection.objects.select_related("coach__user").get(pk=connection_id)
    if connection.state != CalendlyConnection.State.ACTIVE:
        return connection.state
    try:
        client = CalendlyClient(crypto.decrypt(connection.token_encrypted))
        state = client.get_webhook_subscription(connection.subscription_uri).get("state", "")
        reason = "" if state == "active" else f"Calendly reports the subscription as {state}."
    except CalendlyError as exc:
        if exc.http_status not in (401, 403, 404):
            logger.warning("Calendly state of %s unknown: %s", connection, exc)
            return "unknown"
        reason = exc.message
    except ValueError:
        reason = "The stored token can no longer be read."
    now = timezone.now()
    if not reason:
        CalendlyConnection.objects.filter(pk=connection.pk).update(state_checked_at=now)
        return CalendlyConnection.State.ACTIVE
    _mark_disabled(connection.pk, reason, now)
    return CalendlyConnection.State.DISABLED


@transaction.atomic
def _mark_disabled(connection_id: int, reason: str, now) -> None:
    connection = (
        CalendlyConnection.objects.select_for_update()
        .select_related("coach__user")
        .get(pk=connection_id)
    )
    connection.state = CalendlyConnection.State.DISABLED
    connection.state_checked_at = now
    first_notice = connection.state_notified_at is None
    connection.state_notified_at = connection.state_notified_at or now
    connection.save(update_fields=["state", "state_checked_at", "state_notified_at"])
    if first_notice:
        notify(
            recipient=connection.coach.user,
            type=NotificationType.CALENDLY_SUBSCRIPTION_DISABLED,
            target=None,
            context={"reason": reason, "link": reverse("integrations:coach_integrations")},
        )
