"""Statements run under the webinar row lock by the seat writes (issue 11 item 3)."""

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import UserFactory
from payments import finalize
from webinars.models import Registration
from webinars.services import seats
from webinars.tests.factories import HeldRegistrationFactory, WebinarFactory
from webinars.tests.payment_helpers import held_with_pending_payment

pytestmark = pytest.mark.django_db


def under_webinar_lock(queries) -> list[str]:
    """The statements from the webinar's SELECT ... FOR UPDATE on."""
    sql = [q["sql"] for q in queries]
    start = next(
        i for i, s in enumerate(sql) if "FOR UPDATE" in s and 'FROM "webinars_webinar"' in s
    )
    return sql[start:]


def test_statements_under_the_webinar_lock_stay_within_the_measured_baseline():
    webinar = WebinarFactory()
    HeldRegistrationFactory(webinar=webinar)
    user = UserFactory()
    with CaptureQueriesContext(connection) as paid_hold:
        seats._hold_seat(webinar_id=webinar.pk, user=user, now=timezone.now())
    free = WebinarFactory(price=Decimal("0"))
    with CaptureQueriesContext(connection) as free_seat:
        seats._hold_seat(webinar_id=free.pk, user=UserFactory(), now=timezone.now())
    held, intent = held_with_pending_payment(WebinarFactory())
    with CaptureQueriesContext(connection) as webhook, transaction.atomic():
        finalize.succeeded(intent=intent)
    assert Registration.objects.get(pk=held.pk).status == Registration.Status.CONFIRMED
    # Ceilings: a lazy load or an extra COUNT under the lock makes these fail. Measured on
    # main 4748041 before any cut: 17 / 31 / 37; then 16 / 24 / 36; now 9 / 12 / 12 (the lock
    # timeout set once per transaction, the waitlist read once, notices deferred to after
    # commit by notifications.deferred).
    assert len(under_webinar_lock(paid_hold.captured_queries)) <= 9
    assert len(under_webinar_lock(free_seat.captured_queries)) <= 12
    assert len(under_webinar_lock(webhook.captured_queries)) <= 12
