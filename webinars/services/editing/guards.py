"""Who may edit, the webinar lock, and the seat facts an edit is checked against."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from webinars import locks
from webinars.errors import NotYourWebinar
from webinars.models import Registration, Webinar, WebinarSlot
from webinars.services.editing.checks import EDITABLE_FIELDS, STAFF_ONLY_FIELDS, SlotChange
from webinars.services.seats import (
    LIVE,
)

if TYPE_CHECKING:
    from accounts.models import User


# --- services ---------------------------------------------------------------------------


def _check_editor(webinar: Webinar, by: User) -> None:
    if not (getattr(by, "sees_everything", False) or webinar.coach.user_id == by.pk):
        raise NotYourWebinar()


def locked_for_edit(webinar_id: int, by: User) -> Webinar:
    try:
        webinar = locks.lock_webinar(webinar_id)
    except Webinar.DoesNotExist:
        raise NotYourWebinar() from None
    _check_editor(webinar, by)
    return webinar


def seat_counts(webinar_id: int) -> tuple[int, bool]:
    registrations = Registration.objects.filter(webinar_id=webinar_id)
    live = registrations.filter(status__in=LIVE).count()
    return live, live > 0 or registrations.filter(payment__isnull=False).exists()


def starts_after(webinar_id: int, slots: list[SlotChange]) -> dt.datetime | None:
    """The webinar's first start once `slots` are applied (None without any slot)."""
    starts: dict[int | str, dt.datetime] = dict(
        WebinarSlot.objects.filter(webinar_id=webinar_id).values_list("pk", "start")
    )
    for change in slots:
        if change.slot_id is None:
            if change.start is not None:
                starts[f"new-{id(change)}"] = change.start
        elif change.delete:
            starts.pop(change.slot_id, None)
        elif change.slot_id in starts and change.start is not None:
            starts[change.slot_id] = change.start
    return min(starts.values()) if starts else None


def allowed_fields(by: User) -> tuple[str, ...]:
    extra = STAFF_ONLY_FIELDS if getattr(by, "sees_everything", False) else ()
    return EDITABLE_FIELDS + extra
