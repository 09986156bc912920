"""Row locks for seat capacity.

Order, everywhere: the webinar row FIRST, then its registrations. (Across apps the payment row
comes before both: the payment webhook locks the payment, then calls our handlers.) Every
seat change (hold, confirm, release, expiry, refund) happens while holding the webinar lock,
so "held + confirmed <= max_attendees" is checked and written by one transaction at a time.

`LOCKS_ENABLED` exists for one purpose: the control test switches it off to show that the
overbooking race is real without the lock (webinars/tests/test_concurrency.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.locking import busy_after_timeout, require_transaction
from webinars.errors import LockBusy
from webinars.models import Registration, Webinar

if TYPE_CHECKING:
    from webinars.models import WaitlistEntry

LOCKS_ENABLED = True


def lock_webinar(webinar_id: int) -> Webinar:
    """SELECT ... FOR UPDATE the webinar (raises Webinar.DoesNotExist). Caller is in a
    transaction (else LockOutsideTransaction); a wait over LOCK_TIMEOUT_SECONDS raises LockBusy.
    On SQLite the whole write transaction is already exclusive (IMMEDIATE)."""
    require_transaction("lock_webinar")
    queryset = Webinar.objects.select_related("coach__user")
    if LOCKS_ENABLED:
        queryset = queryset.select_for_update(of=("self",))
    with busy_after_timeout(LockBusy):
        return queryset.get(pk=webinar_id)


def lock_registration(registration_id: int) -> Registration:
    """Lock one registration. Caller already holds its webinar's lock."""
    require_transaction("lock_registration")
    queryset = Registration.objects.select_related("user")
    if LOCKS_ENABLED:
        queryset = queryset.select_for_update(of=("self",))
    with busy_after_timeout(LockBusy):
        return queryset.get(pk=registration_id)


def lock_held_registration(registration_id: int) -> Registration:
    """Lock one registration WITHOUT its webinar, with webinar, coach and user selected: only
    for a change that moves no seat (linking a hold's payment). Safe because every status
    change locks the registration row too (after the webinar), so the status read here stays
    true until commit; taking no webinar lock keeps the hot row free for other holds."""
    require_transaction("lock_held_registration")
    queryset = Registration.objects.select_related("webinar__coach__user", "user")
    if LOCKS_ENABLED:
        queryset = queryset.select_for_update(of=("self",))
    with busy_after_timeout(LockBusy):
        return queryset.get(pk=registration_id)


def lock_registrations(**filters: Any) -> list[Registration]:
    """Lock the registrations matching `filters`. Caller already holds the webinar's lock."""
    require_transaction("lock_registrations")
    queryset = Registration.objects.filter(**filters).order_by("pk")
    if LOCKS_ENABLED:
        queryset = queryset.select_for_update()
    with busy_after_timeout(LockBusy):
        return list(queryset)


def lock_waitlist(**filters: Any) -> list[WaitlistEntry]:
    """Lock waitlist entries matching `filters`, in line order. Caller holds the webinar lock."""
    from webinars.models import WaitlistEntry

    require_transaction("lock_waitlist")
    queryset = WaitlistEntry.objects.filter(**filters).order_by("created_at", "pk")
    if LOCKS_ENABLED:
        queryset = queryset.select_for_update()
    with busy_after_timeout(LockBusy):
        return list(queryset)
