"""Create, update, publish and unpublish a webinar."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from accounts import suspension
from webinars import locks
from webinars.errors import NotYourWebinar, SellerSuspended, WebinarInvalid
from webinars.models import Registration, Webinar, WebinarSlot
from webinars.services.editing.checks import Edit, SlotChange, field_errors
from webinars.services.editing.guards import (
    allowed_fields,
    locked_for_edit,
    seat_counts,
    starts_after,
)
from webinars.services.editing.materials import add_material, remove_material
from webinars.services.editing.slots import apply_slots
from webinars.services.seats import (
    expire_stale_holds,
    live_panels_push,
    minimum_attendees_sync,
)

if TYPE_CHECKING:
    from accounts.models import Coach, User


@transaction.atomic
def webinar_create(
    *, coach: Coach, by: User, fields: dict[str, Any], slots: Sequence[SlotChange] = ()
) -> Webinar:
    """A new webinar, always a draft (publish it with `webinar_publish`)."""
    if not (getattr(by, "sees_everything", False) or coach.user_id == by.pk):
        raise NotYourWebinar()
    values = {k: v for k, v in fields.items() if k in allowed_fields(by)}
    values.setdefault("min_attendees", 0)
    errors = field_errors(
        values=values,
        live_seats=0,
        any_seats=False,
        starts_at=min((s.start for s in slots if s.start), default=None),
    )
    if not (values.get("title") or "").strip():
        errors.setdefault("title", []).append("Give the webinar a title.")
    if errors:
        raise WebinarInvalid(errors)
    webinar = Webinar(coach=coach, status=Webinar.Status.DRAFT, **values)
    webinar.save()
    webinar = locks.lock_webinar(webinar.pk)
    apply_slots(webinar, list(slots), now=timezone.now())
    return webinar


@transaction.atomic
def webinar_update(*, webinar_id: int, by: User, edit: Edit) -> Webinar:
    """Apply an edit (fields, slots, materials) under the webinar lock; all or nothing."""
    webinar = locked_for_edit(webinar_id, by)
    now = timezone.now()
    expire_stale_holds(webinar=webinar, now=now)  # a lapsed hold no longer takes a seat
    live_seats, any_seats = seat_counts(webinar.pk)
    changes = {
        k: v for k, v in edit.fields.items() if k in allowed_fields(by) and getattr(webinar, k) != v
    }
    current = {name: getattr(webinar, name) for name in allowed_fields(by)}
    values = {**current, **changes}
    starts_at = starts_after(webinar.pk, edit.slots)
    errors = field_errors(
        values=values,
        live_seats=live_seats,
        any_seats=any_seats,
        starts_at=starts_at,
        current=current,
    )
    if webinar.status in (Webinar.Status.CANCELLED, Webinar.Status.COMPLETED) and (
        changes or edit.slots or edit.materials_add
    ):
        errors.setdefault("", []).append("A cancelled or completed webinar cannot be edited.")
    if errors:
        raise WebinarInvalid(errors)
    if changes:
        for name, value in changes.items():
            setattr(webinar, name, value)
        webinar.save(update_fields=[*changes, "updated_at"])
        if "min_attendees" in changes:
            minimum_attendees_sync(webinar=webinar)
        if changes.get("max_attendees", 0) > current["max_attendees"]:
            from webinars.services.waitlist import seats_offer

            seats_offer(webinar=webinar, now=now)  # more seats: the waitlist gets them first
    apply_slots(webinar, edit.slots, now=now, live_seats=live_seats)
    for material in edit.materials_add:
        add_material(webinar, material)
    for material_id in edit.materials_remove:
        remove_material(webinar, material_id)
    live_panels_push(webinar.pk, None)
    return webinar


@transaction.atomic
def webinar_publish(*, webinar_id: int, by: User) -> Webinar:
    """Draft → open for booking: `scheduled`, or `pending_minimum_attendees` while the
    confirmed seats are below the minimum. Needs a price and a future slot."""
    webinar = locked_for_edit(webinar_id, by)
    if webinar.status in Webinar.BOOKABLE_STATUSES:
        return webinar
    if webinar.status != Webinar.Status.DRAFT:
        raise WebinarInvalid({"": ["Only a draft can be published."]})
    if suspension.is_suspended(webinar.coach.user):
        raise SellerSuspended(
            suspension.refusal_message(webinar.coach.user)
            if webinar.coach.user_id == by.pk
            else "This webinar's coach is suspended: it cannot be published."
        )
    errors: dict[str, list[str]] = {}
    if webinar.price is None:
        errors["price"] = ["Set a price (0 for a free webinar) before publishing."]
    if not WebinarSlot.objects.filter(webinar_id=webinar.pk, start__gt=timezone.now()).exists():
        errors["slots"] = ["Add a date in the future before publishing."]
    if errors:
        raise WebinarInvalid(errors)
    confirmed = Registration.objects.filter(
        webinar_id=webinar.pk, status=Registration.Status.CONFIRMED
    ).count()
    webinar.status = (
        Webinar.Status.SCHEDULED
        if confirmed >= webinar.min_attendees
        else Webinar.Status.PENDING_MINIMUM
    )
    webinar.save(update_fields=["status", "updated_at"])
    live_panels_push(webinar.pk, None)
    return webinar


@transaction.atomic
def webinar_unpublish(*, webinar_id: int, by: User) -> Webinar:
    """Back to draft (hidden), only while nobody holds or bought a seat: attendees would
    lose a webinar they paid for without the refunds that cancelling makes."""
    webinar = locked_for_edit(webinar_id, by)
    if webinar.status == Webinar.Status.DRAFT:
        return webinar
    if webinar.status not in Webinar.BOOKABLE_STATUSES:
        raise WebinarInvalid({"": ["Only an open webinar can go back to draft."]})
    live_seats, _ = seat_counts(webinar.pk)
    if live_seats:
        raise WebinarInvalid(
            {"": [f"{live_seats} seat(s) are held or sold: cancel the webinar instead."]}
        )
    webinar.status = Webinar.Status.DRAFT
    webinar.save(update_fields=["status", "updated_at"])
    live_panels_push(webinar.pk, None)
    return webinar
