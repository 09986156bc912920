"""What a suspension (accounts.suspension) does to webinars, run by the Celery task
`webinars.tasks.webinars_end_for_suspended_user` after the suspension committed.

- The suspended person's held seats are released and their waitlist places ended (their
  payment intents are cancelled by the existing release paths; nothing was charged).
- A suspended coach's webinars that have not started are cancelled through `webinar_cancel`,
  which refunds every paid seat in full and tells every attendee.

Each item goes through its own service call (own locks and transaction), so one refusal (a
webinar that started meanwhile) does not stop the rest.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from accounts.models import AccountSanction, User
from webinars.errors import WebinarError
from webinars.models import Registration, WaitlistEntry, Webinar
from webinars.services.cancellation import webinar_cancel
from webinars.services.seats import registration_release, webinar_starts_at
from webinars.services.waitlist import waitlist_leave

logger = logging.getLogger(__name__)


@dataclass
class SuspensionOutcome:
    holds_released: int = 0
    waitlist_left: int = 0
    webinars_cancelled: int = 0


def webinars_end_for_suspension(*, user_id: int, reason: str = "") -> SuspensionOutcome:
    """Release what a suspended user holds and cancel what they sell. Idempotent: a second
    run finds nothing left to do. Call it with no transaction open (webinar_cancel calls
    Stripe after its own commit)."""
    outcome = SuspensionOutcome()
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return outcome
    waiting = WaitlistEntry.objects.filter(
        user_id=user_id, status__in=WaitlistEntry.ACTIVE_STATUSES
    ).values_list("webinar_id", flat=True)
    for webinar_id in list(waiting):
        try:
            waitlist_leave(webinar_id=webinar_id, user=user)
            outcome.waitlist_left += 1
        except WebinarError as exc:
            logger.info(
                "waitlist of webinar %s for suspended user %s: %s", webinar_id, user_id, exc
            )
    held = Registration.objects.filter(user_id=user_id, status=Registration.Status.HELD)
    for registration_id in list(held.values_list("pk", flat=True)):
        registration = registration_release(registration_id=registration_id, user=user)
        if registration.status == Registration.Status.CANCELLED:
            outcome.holds_released += 1
    selling = Webinar.objects.filter(
        coach__user_id=user_id, status__in=Webinar.BOOKABLE_STATUSES
    ).values_list("pk", flat=True)
    now = timezone.now()
    message = "The coach's account is suspended" + (f": {reason}" if reason else ".")
    for webinar_id in list(selling):
        starts_at = webinar_starts_at(webinar_id)
        if starts_at is not None and starts_at <= now:
            continue  # taking place: the attendees get what they paid for
        try:
            webinar_cancel(webinar_id=webinar_id, by=user, reason=message)
            outcome.webinars_cancelled += 1
        except WebinarError as exc:
            logger.info("cancelling webinar %s of suspended coach %s: %s", webinar_id, user_id, exc)
    return outcome


def on_user_suspended(
    sender: object, *, user: User, sanction: AccountSanction, **kwargs: Any
) -> None:
    """Receiver of accounts.suspension.user_suspended (connected in WebinarsConfig.ready):
    the work runs in a Celery task after the suspension commits."""
    from core.oncommit import enqueue_on_commit
    from webinars.tasks import end_for_suspended_user

    enqueue_on_commit(
        end_for_suspended_user,
        user.pk,
        sanction.reason,
        retry_note="re-run it from the admin (suspend again) to release and cancel",
    )
