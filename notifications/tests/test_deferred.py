"""Notices built after commit, outside the writer's locks (notifications.deferred, issue 11
item 3): a seat confirmed by a payment webhook writes only DeferredNotification rows under the
webinar lock; after commit each becomes one notification and one email, exactly once, also
when the task never ran (the sweep) or ran twice; a rollback leaves nothing."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from accounts.tests.factories import UserFactory
from notifications import deferred
from notifications.models import DeferredNotification, Notification, OutboundEmail
from notifications.types import NotificationType
from payments import finalize
from webinars.models import Registration
from webinars.tests.factories import RegistrationFactory, WebinarFactory
from webinars.tests.payment_helpers import held_with_pending_payment

pytestmark = pytest.mark.django_db

CONFIRMATION_TYPES = {
    NotificationType.WEBINAR_BOOKING_CONFIRMED,
    NotificationType.WEBINAR_NEW_ATTENDEE,
    NotificationType.PAYMENT_RECEIVED,
}


def _paid_hold():
    return held_with_pending_payment(WebinarFactory(title="Deferred notices"))


def test_the_webhook_writes_only_deferred_rows_under_its_locks_and_the_notices_after_commit(
    django_capture_on_commit_callbacks,
):
    held, intent = _paid_hold()
    coach_user = held.webinar.coach.user
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        finalize.succeeded(intent=intent)
        # Inside the transaction (the webinar and payment locks held): no notice rendered.
        assert not Notification.objects.exists()
        assert not OutboundEmail.objects.exists()
        assert {d.type for d in DeferredNotification.objects.all()} == CONFIRMATION_TYPES
    assert callbacks  # the build tasks were queued on commit

    assert Registration.objects.get(pk=held.pk).status == Registration.Status.CONFIRMED
    assert not DeferredNotification.objects.exists()  # each row deleted as it was built
    notices = {(n.recipient_id, n.type) for n in Notification.objects.all()}
    assert notices == {
        (held.user_id, NotificationType.WEBINAR_BOOKING_CONFIRMED),
        (coach_user.pk, NotificationType.WEBINAR_NEW_ATTENDEE),
        (coach_user.pk, NotificationType.PAYMENT_RECEIVED),
    }
    received = Notification.objects.get(type=NotificationType.PAYMENT_RECEIVED)
    assert "CHF 120.00" in received.title  # the Decimal context survived JSON
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [held.user.email, coach_user.email, coach_user.email]
    )


def test_a_rolled_back_write_leaves_no_deferred_row_and_sends_nothing(
    django_capture_on_commit_callbacks,
):
    _held, intent = _paid_hold()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        finalize.succeeded(intent=intent)
        raise RuntimeError("the webhook failed after confirming")
    assert not DeferredNotification.objects.exists()
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_a_row_whose_task_never_ran_is_built_once_by_the_sweep():
    registration = RegistrationFactory()
    # Outside a captured commit: the task is never run (as when the broker was down).
    with transaction.atomic():
        row = deferred.notify_after_commit(
            recipient=registration.user,
            type=NotificationType.WEBINAR_BOOKING_CONFIRMED,
            target=registration,
            context={"join_url": "https://meet.example.com/x"},
        )
    assert not Notification.objects.exists()

    assert deferred.deferred_notifications_sweep() == 0  # too young: its own task may run
    later = timezone.now() + deferred.SWEEP_AFTER + timedelta(seconds=1)
    assert deferred.deferred_notifications_sweep(now=later) == 1
    assert deferred.deferred_notifications_sweep(now=later) == 0
    assert deferred.deferred_notification_build(deferred_id=row.pk) is False  # task, late
    [notice] = Notification.objects.filter(recipient=registration.user)
    assert notice.type == NotificationType.WEBINAR_BOOKING_CONFIRMED
    assert OutboundEmail.objects.filter(recipient=registration.user).count() == 1


def test_a_notice_whose_target_is_gone_is_dropped_not_sent_to_the_wrong_thing(caplog):
    registration = RegistrationFactory()
    row = deferred.notify_after_commit(
        recipient=UserFactory(),
        type=NotificationType.WEBINAR_BOOKING_CONFIRMED,
        target=registration,
    )
    registration.delete()
    assert deferred.deferred_notification_build(deferred_id=row.pk) is False
    assert not Notification.objects.exists()
    assert not DeferredNotification.objects.exists()
    assert "is gone" in caplog.text


def test_an_unknown_type_fails_in_the_callers_transaction():
    with pytest.raises(ValueError):
        deferred.notify_after_commit(recipient=UserFactory(), type="no_such_notice")
    assert not DeferredNotification.objects.exists()
