"""Add, move and remove a webinar's slots; moving one tells every attendee."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from webinars.errors import WebinarInvalid
from webinars.models import Registration, Webinar, WebinarSlot
from webinars.services.editing.checks import SlotChange, slot_errors
from webinars.services.editing.guards import locked_for_edit, seat_counts
from webinars.services.seats import (
    LIVE,
    live_panels_push,
)

if TYPE_CHECKING:
    from accounts.models import User


def apply_slots(
    webinar: Webinar, slots: list[SlotChange], *, now: dt.datetime, live_seats: int = 0
) -> None:
    """Caller holds the webinar lock."""
    existing: dict[int | None, WebinarSlot] = {
        s.pk: s for s in WebinarSlot.objects.filter(webinar_id=webinar.pk)
    }
    remaining = len(existing)
    moved: list[tuple[WebinarSlot, dt.datetime]] = []
    for change in slots:
        if change.delete:
            slot = existing.get(change.slot_id)
            if slot is None:
                continue
            if remaining == 1 and live_seats:
                raise WebinarInvalid(
                    {"slots": ["Seats are sold: the webinar keeps at least one slot."]}
                )
            slot.delete()
            remaining -= 1
            continue
        errors = slot_errors(
            start=change.start, end=change.end, now=now, deadline=webinar.early_bird_deadline
        )
        if change.start is None or change.end is None:
            raise WebinarInvalid(errors)  # slot_errors asked for both
        if change.slot_id is None:
            slot = WebinarSlot(webinar=webinar, start=change.start, end=change.end)
        else:
            slot = existing.get(change.slot_id)
            if slot is None:
                raise WebinarInvalid({"slots": ["This slot is not part of the webinar."]})
            if (slot.start, slot.end) == (change.start, change.end):
                continue
            previous = slot.start
            slot.start, slot.end = change.start, change.end
        if errors:
            raise WebinarInvalid(errors)
        try:
            slot.webinar = webinar
            slot.clean()
        except ValidationError as exc:
            raise WebinarInvalid({"start": exc.messages}) from exc
        slot.save()
        if change.slot_id is None:
            remaining += 1
        else:
            moved.append((slot, previous))
    if moved:
        _notify_rescheduled(webinar, moved)


def _notify_rescheduled(webinar: Webinar, moved: list[tuple[WebinarSlot, dt.datetime]]) -> None:
    """Every attendee (seat confirmed or held) hears of each moved slot (after commit)."""
    from notifications.services import notify
    from notifications.types import NotificationType

    registrations = Registration.objects.filter(
        webinar_id=webinar.pk, status__in=LIVE
    ).select_related("user")
    for registration in registrations:
        registration.webinar = webinar
        for slot, previous in moved:
            notify(
                recipient=registration.user,
                type=NotificationType.WEBINAR_RESCHEDULED,
                target=registration,
                context={
                    "previous_start": previous,
                    "new_start": slot.start,
                    "new_end": slot.end,
                    "join_url": webinar.join_url,
                },
            )
        live_panels_push(None, registration.pk)


@transaction.atomic
def webinar_slot_add(
    *, webinar_id: int, by: User, start: dt.datetime, end: dt.datetime
) -> WebinarSlot:
    webinar = locked_for_edit(webinar_id, by)
    apply_slots(webinar, [SlotChange(start=start, end=end)], now=timezone.now())
    return WebinarSlot.objects.filter(webinar=webinar, start=start, end=end).latest("pk")


@transaction.atomic
def webinar_slot_reschedule(
    *, slot_id: int, by: User, start: dt.datetime, end: dt.datetime
) -> WebinarSlot:
    """Move a slot; its attendees are told (WEBINAR_RESCHEDULED)."""
    webinar_id = WebinarSlot.objects.filter(pk=slot_id).values_list("webinar_id", flat=True)
    webinar = locked_for_edit(webinar_id.first() or 0, by)
    apply_slots(webinar, [SlotChange(slot_id=slot_id, start=start, end=end)], now=timezone.now())
    return WebinarSlot.objects.get(pk=slot_id)


@transaction.atomic
def webinar_slot_remove(*, slot_id: int, by: User) -> None:
    webinar_id = WebinarSlot.objects.filter(pk=slot_id).values_list("webinar_id", flat=True)
    webinar = locked_for_edit(webinar_id.first() or 0, by)
    live_seats, _ = seat_counts(webinar.pk)
    apply_slots(
        webinar,
        [SlotChange(slot_id=slot_id, delete=True)],
        now=timezone.now(),
        live_seats=live_seats,
    )
