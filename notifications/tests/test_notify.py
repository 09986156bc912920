import pytest
from django.core import mail
from django.db import transaction

from accounts.tests.factories import UserFactory
from notifications.models import Notification, OutboundEmail
from notifications.services import notify
from notifications.tests.factories import NotificationPreferenceFactory
from notifications.types import NotificationCategory, NotificationType

# Emails leave on commit. `committed()` (root conftest) runs the on-commit callbacks where the
# caller's commit would, without `transaction=True` and its flush of every table.
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _committed(committed):
    global _commit
    _commit = committed
    yield
    _commit = None


_commit = None


def _connection_request(user, **kwargs):
    """notify() in a caller's transaction that commits."""
    with _commit():
        return notify(
            recipient=user,
            type=NotificationType.CONNECTION_REQUESTED,
            context={"requester_name": "Ada Lovelace"},
            **kwargs,
        )


def test_notify_writes_in_app_row_and_sends_one_email():
    user = UserFactory()
    notification = _connection_request(user)
    assert notification.title == "Ada Lovelace wants to connect"
    assert notification.category == NotificationCategory.ACCOUNT
    assert Notification.objects.filter(recipient=user).count() == 1
    email = OutboundEmail.objects.get(recipient=user)
    assert email.status == OutboundEmail.Status.SENT
    assert email.notification == notification
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert mail.outbox[0].subject == "Ada Lovelace wants to connect"


def test_email_has_html_and_text_parts_that_greet_the_recipient():
    user = UserFactory(first_name="Grace", last_name="Hopper")
    _connection_request(user)
    message = mail.outbox[0]
    assert "Hello Grace Hopper," in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Hello Grace Hopper," in html and "Notification settings" in html


def test_user_with_email_off_for_a_category_gets_in_app_only():
    user = UserFactory()
    NotificationPreferenceFactory(user=user, category=NotificationCategory.ACCOUNT, email=False)
    notification = _connection_request(user)
    assert notification is not None
    assert Notification.objects.filter(recipient=user).count() == 1
    assert not OutboundEmail.objects.exists()
    assert mail.outbox == []


def test_user_with_in_app_off_gets_email_only():
    user = UserFactory()
    NotificationPreferenceFactory(user=user, category=NotificationCategory.ACCOUNT, in_app=False)
    assert _connection_request(user) is None
    assert not Notification.objects.exists()
    assert len(mail.outbox) == 1


def test_payment_email_is_sent_even_when_payment_email_is_switched_off(committed):
    user = UserFactory()
    NotificationPreferenceFactory(
        user=user, category=NotificationCategory.PAYMENT, email=False, in_app=False
    )
    with committed():
        notify(
            recipient=user, type=NotificationType.PAYMENT_FAILED, context={"reason": "Declined."}
        )
    assert not Notification.objects.exists()
    assert len(mail.outbox) == 1
    assert "Declined." in mail.outbox[0].body


def test_channels_argument_limits_delivery_to_in_app():
    user = UserFactory()
    _connection_request(user, channels={"in_app"})
    assert Notification.objects.count() == 1
    assert mail.outbox == []


def test_nothing_is_kept_or_sent_when_the_callers_transaction_rolls_back(committed):
    user = UserFactory()

    class Abort(Exception):
        pass

    with committed() as queued, pytest.raises(Abort), transaction.atomic():
        notify(
            recipient=user,
            type=NotificationType.CONNECTION_REQUESTED,
            context={"requester_name": "Ada Lovelace"},
        )
        raise Abort

    assert queued == []  # the rolled-back block's on-commit work is dropped with it
    assert not Notification.objects.exists()
    assert not OutboundEmail.objects.exists()
    assert mail.outbox == []


def test_email_waits_for_the_callers_commit(committed):
    user = UserFactory()
    with committed():
        with transaction.atomic():
            notify(
                recipient=user,
                type=NotificationType.CONNECTION_REQUESTED,
                context={"requester_name": "Ada Lovelace"},
            )
            assert mail.outbox == []
        assert mail.outbox == []  # the savepoint released: still waiting for the commit
    assert len(mail.outbox) == 1
