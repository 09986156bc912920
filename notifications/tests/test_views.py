import pytest
from django.test import Client

from accounts.tests.factories import UserFactory
from notifications.models import Notification, NotificationPreference
from notifications.tests.factories import NotificationFactory
from notifications.types import NotificationCategory

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory()


@pytest.fixture
def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_notifications_page_requires_login():
    response = Client().get("/notifications/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_notifications_page_lists_newest_first_with_unread_badge(user, client_for):
    NotificationFactory(recipient=user, title="Older news")
    NotificationFactory(recipient=user, title="Newest news")
    NotificationFactory(title="Somebody else's news")
    html = client_for.get("/notifications/").content.decode()
    assert html.index("Newest news") < html.index("Older news")
    assert "Somebody else" not in html
    assert "2 unread" in html
    assert 'id="notifications-bell"' in html and "2 unread" in html


def test_notifications_page_is_paginated_by_twenty(user, client_for):
    for number in range(25):
        NotificationFactory(recipient=user, title=f"News {number:02d}")
    first = client_for.get("/notifications/").content.decode()
    second = client_for.get("/notifications/?page=2").content.decode()
    assert "News 24" in first and "News 05" in first and "News 04" not in first
    assert "News 04" in second and "Page 2 of 2" in second


def test_htmx_request_gets_only_the_list_fragment(user, client_for):
    NotificationFactory(recipient=user, title="Fragment news")
    html = client_for.get("/notifications/", HTTP_HX_REQUEST="true").content.decode()
    assert html.lstrip().startswith('<section id="notifications-list"')
    assert "<html" not in html


def test_mark_one_read_without_js_redirects_back(user, client_for):
    notification = NotificationFactory(recipient=user)
    response = client_for.post(
        f"/notifications/{notification.pk}/read/", {"next": "/notifications/?page=1"}
    )
    assert response.status_code == 302 and response["Location"] == "/notifications/?page=1"
    notification.refresh_from_db()
    assert notification.is_read


def test_mark_one_read_with_htmx_returns_the_item_and_the_bell(user, client_for):
    notification = NotificationFactory(recipient=user, title="Read me")
    NotificationFactory(recipient=user)
    html = client_for.post(
        f"/notifications/{notification.pk}/read/", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert f'id="notification-{notification.pk}"' in html and "is-unread" not in html
    assert 'id="notifications-bell" hx-swap-oob="true"' in html and "1 unread" in html


def test_cannot_mark_another_users_notification_read(client_for):
    foreign = NotificationFactory()
    client_for.post(f"/notifications/{foreign.pk}/read/")
    foreign.refresh_from_db()
    assert not foreign.is_read


def test_mark_all_read(user, client_for):
    NotificationFactory.create_batch(3, recipient=user)
    other = NotificationFactory()
    response = client_for.post("/notifications/read-all/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=other.pk).read_at is None
    assert "unread" not in response.content.decode().split("notifications-bell")[0]


def test_marking_read_needs_the_csrf_token(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    notification = NotificationFactory(recipient=user)
    assert client.post(f"/notifications/{notification.pk}/read/").status_code == 403


def test_marking_read_is_post_only(user, client_for):
    notification = NotificationFactory(recipient=user)
    assert client_for.get(f"/notifications/{notification.pk}/read/").status_code == 405


def test_preferences_page_shows_every_category_and_locks_payment_email(client_for):
    html = client_for.get("/notifications/preferences/").content.decode()
    for category in NotificationCategory:
        assert category.label in html
    assert 'name="payment_email"' in html and "Always sent" in html
    assert html.count("disabled") >= 1


def test_saving_preferences_turns_booking_email_off(user, client_for):
    data = {"booking_in_app": "on", "reminder_in_app": "on", "reminder_email": "on"}
    response = client_for.post("/notifications/preferences/", data)
    assert response.status_code == 302
    booking = NotificationPreference.objects.get(user=user, category="booking")
    assert booking.in_app is True and booking.email is False
    account = NotificationPreference.objects.get(user=user, category="account")
    assert account.in_app is False and account.email is False


def test_payment_email_stays_on_even_if_the_form_is_tampered_with(user, client_for):
    client_for.post("/notifications/preferences/", {"payment_in_app": "on"})
    payment = NotificationPreference.objects.get(user=user, category="payment")
    assert payment.email is True
