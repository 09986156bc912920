"""Connecting and disconnecting Calendly, against the stand-in over real HTTP (Calendly
itself cannot be reached from here; the stand-in answers in Calendly's shapes)."""

from __future__ import annotations

import datetime as dt

import pytest
import requests
from django.db import connection as db

from accounts.tests.factories import UserFactory
from bookings.models import Booking
from bookings.tests.factories import BookingFactory
from integrations import crypto
from integrations.calendly_standin.server import DEMO_MEMBER_TOKEN
from integrations.models import CalendlyConnection
from integrations.services import calendly_check_subscription, calendly_disconnect
from integrations.tasks import check_calendly_subscriptions
from notifications.models import Notification
from notifications.types import NotificationType

pytestmark = pytest.mark.django_db


def subscriptions(standin) -> list[dict]:
    return list(standin["store"].data["subscriptions"].values())


def connect_through_page(client, coach, token, **extra):
    client.force_login(coach.user)
    return client.post("/coach/integrations/", {"action": "connect", "token": token, **extra})


def test_connecting_registers_our_signed_subscription_and_stores_the_token_encrypted(
    client, coach, calendly_standin, settings
):
    settings.SITE_URL = "https://coach.example"

    response = connect_through_page(client, coach, calendly_standin["token"])

    assert response.status_code == 302
    connection = CalendlyConnection.objects.get(coach=coach)
    assert connection.state == "active"
    assert connection.scope == "user"
    assert connection.user_uri.startswith("https://api.calendly.com/users/")
    assert connection.events == [
        "invitee.created",
        "invitee.canceled",
        "invitee_no_show.created",
        "invitee_no_show.deleted",
    ]
    [subscription] = subscriptions(calendly_standin)
    assert subscription["uri"] == connection.subscription_uri
    assert subscription["callback_url"] == (
        f"https://coach.example/integrations/calendly/webhook/{connection.webhook_token}/"
    )
    # The signing key is ours, sent at creation, and kept encrypted.
    assert subscription["_signing_key"] == crypto.decrypt(connection.signing_key_encrypted)
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT token_encrypted, signing_key_encrypted FROM integrations_calendlyconnection"
        )
        raw_token, raw_key = cursor.fetchone()
    assert calendly_standin["token"] not in raw_token
    assert subscription["_signing_key"] not in raw_key
    assert crypto.decrypt(raw_token) == calendly_standin["token"]


def test_the_page_never_shows_the_token_again_only_its_last_four(client, coach, calendly_standin):
    connect_through_page(client, coach, calendly_standin["token"])

    page = client.get("/coach/integrations/").content.decode()

    assert calendly_standin["token"] not in page
    assert calendly_standin["token"][-4:] in page
    assert "/integrations/calendly/webhook/" in page


def test_a_bad_token_shows_calendlys_refusal_and_stores_nothing(client, coach, calendly_standin):
    response = connect_through_page(client, coach, "not-a-calendly-token")

    assert response.status_code == 400
    assert "did not accept this token" in response.content.decode()
    assert not CalendlyConnection.objects.exists()
    assert subscriptions(calendly_standin) == []


def test_routing_forms_use_organization_scope_when_allowed(client, coach, calendly_standin):
    connect_through_page(client, coach, calendly_standin["token"], routing_forms="on")

    connection = CalendlyConnection.objects.get()
    assert connection.scope == "organization"
    assert "routing_form_submission.created" in connection.events


def test_routing_forms_refused_403_connects_bookings_without_them(client, coach, calendly_standin):
    response = connect_through_page(client, coach, DEMO_MEMBER_TOKEN, routing_forms="on")

    assert response.status_code == 302
    connection = CalendlyConnection.objects.get()
    assert connection.scope == "user"
    assert "routing_form_submission.created" not in connection.events
    page = client.get("/coach/integrations/").content.decode()
    assert "only to organization owners and admins" in page


def test_disconnect_deletes_the_subscription_at_calendly(
    client, coach, connected, calendly_standin
):
    client.force_login(coach.user)

    response = client.post("/coach/integrations/", {"action": "disconnect"})

    assert response.status_code == 302
    assert subscriptions(calendly_standin) == []
    connection = CalendlyConnection.objects.get()
    assert connection.state == "disconnected"
    assert connection.token_encrypted == ""


def test_disconnect_tolerates_a_subscription_already_gone(coach, connected, calendly_standin):
    calendly_standin["store"].data["subscriptions"].clear()  # deleted in Calendly's UI

    assert calendly_disconnect(coach=coach) == ""

    assert CalendlyConnection.objects.get().state == "disconnected"


def test_reconnecting_replaces_the_old_subscription(coach, connected, calendly_standin):
    from integrations.services import calendly_connect

    old_token = connected.webhook_token

    calendly_connect(coach=coach, token=calendly_standin["token"])

    [subscription] = subscriptions(calendly_standin)
    connection = CalendlyConnection.objects.get()
    assert connection.webhook_token != old_token
    assert subscription["uri"] == connection.subscription_uri


def test_daily_check_marks_a_disabled_subscription_and_tells_the_coach_once(
    coach, connected, calendly_standin
):
    requests.post(
        f"{calendly_standin['base']}/_standin/subscriptions/disable",
        json={"uri": connected.subscription_uri},
        timeout=5,
    )

    assert check_calendly_subscriptions() == 1
    connected.refresh_from_db()
    assert connected.state == "disabled"
    calendly_check_subscription(connection_id=connected.pk)
    notices = Notification.objects.filter(
        recipient=coach.user, type=NotificationType.CALENDLY_SUBSCRIPTION_DISABLED
    )
    assert notices.count() == 1


def test_daily_check_leaves_an_active_subscription_active(coach, connected, calendly_standin):
    assert calendly_check_subscription(connection_id=connected.pk) == "active"
    assert not Notification.objects.filter(
        type=NotificationType.CALENDLY_SUBSCRIPTION_DISABLED
    ).exists()


def test_the_page_is_for_coaches_only(client, calendly_standin):
    client.force_login(UserFactory())
    assert client.get("/coach/integrations/").status_code == 404
    client.logout()
    assert client.get("/coach/integrations/").status_code == 302


def test_an_unknown_action_is_400(client, coach):
    client.force_login(coach.user)
    assert client.post("/coach/integrations/", {"action": "-5"}).status_code == 400


# --- the no-show mark from the booking page -------------------------------------------------
def test_the_coach_marks_and_unmarks_a_past_session_as_no_show(client, coach):
    booking = BookingFactory(
        coach=coach, start=dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=2)
    )
    client.force_login(coach.user)
    page = client.get(booking.get_absolute_url()).content.decode()
    assert "Mark as no-show" in page

    client.post(f"/bookings/{booking.pk}/no-show/", {"no_show": "on"})
    booking.refresh_from_db()
    assert booking.no_show_marked_at is not None
    client.post(f"/bookings/{booking.pk}/no-show/", {"no_show": "off"})
    booking.refresh_from_db()
    assert booking.no_show_marked_at is None


def test_no_show_is_refused_before_the_session_and_hidden_from_the_client(client, coach):
    upcoming = BookingFactory(coach=coach)
    client.force_login(coach.user)
    client.post(f"/bookings/{upcoming.pk}/no-show/", {"no_show": "on"})
    upcoming.refresh_from_db()
    assert upcoming.no_show_marked_at is None

    client.force_login(upcoming.client)
    assert client.post(f"/bookings/{upcoming.pk}/no-show/").status_code == 404
    assert Booking.objects.get(pk=upcoming.pk).no_show_marked_at is None


def test_the_no_show_post_needs_the_csrf_token(coach):
    from django.test import Client

    booking = BookingFactory(
        coach=coach, start=dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=2)
    )
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(coach.user)

    assert strict.post(f"/bookings/{booking.pk}/no-show/", {"no_show": "on"}).status_code == 403
    booking.refresh_from_db()
    assert booking.no_show_marked_at is None
