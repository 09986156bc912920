"""Every edit of a webinar goes through here: the coach's editor on the site and the Django
admin alike (issue 16). Each service takes the webinar lock (webinars/locks.py), re-checks
the invariants against the rows as they are now, and writes only the fields it changes
(`update_fields`), so an open form can never revert a status a payment just changed.

Invariants:
- capacity (`max_attendees`) never below the live seat count (held + confirmed);
- a seat already held or sold keeps its price: its `Registration.amount` and payment are
  frozen; a price change applies to the next seat only, and the currency cannot change
  once a seat was taken;
- the early-bird price is not above the regular price and its deadline is before the start;
- a slot starts in the future and ends after it starts; moving one tells every attendee;
- the status changes only through `webinar_publish`, `webinar_unpublish`, `webinar_cancel`
  (cancellation.py) and the seat services (minimum attendees).
- materials: a file of an allowed type and size (`WEBINAR_MATERIAL_MAX_BYTES`), stored
  through Django's storage API, or a link.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from accounts import suspension
from core.oncommit import run_on_commit
from webinars import locks
from webinars.errors import NotYourWebinar, SellerSuspended, WebinarInvalid
from webinars.models import Material, Registration, Webinar, WebinarSlot
from webinars.services.seats import (
    LIVE,
    expire_stale_holds,
    live_panels_push,
    minimum_attendees_sync,
)

EDITABLE_FIELDS = (
    "title",
    "description",
    "price",
    "currency",
    "early_bird_price",
    "early_bird_deadline",
    "max_attendees",
    "min_attendees",
    "join_link",
    "vat_rate",
    # What an attendee who gives the seat back is refunded (webinars/policy.py).
    "full_refund_hours",
    "partial_refund_hours",
    "partial_refund_percent",
)
STAFF_ONLY_FIELDS = ("platform_fee_percent",)
# Fixed once a seat is taken: the seat's payment was quoted in them.
FROZEN_WITH_SEATS = ("currency", "vat_rate", "platform_fee_percent")

MATERIAL_EXTENSIONS = frozenset(
    {
        ".pdf",
        ".txt",
        ".md",
        ".csv",
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".webp",
        ".docx",
        ".xlsx",
        ".pptx",
        ".odt",
        ".ods",
        ".odp",
        ".key",
        ".epub",
        ".mp3",
        ".mp4",
        ".zip",
    }
)
# Executables announce themselves in their first bytes whatever the name says.
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"#!", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe")


@dataclass
class SlotChange:
    """One slot edit: `slot_id=None` adds, `delete=True` removes, otherwise reschedules."""

    start: dt.datetime | None = None
    end: dt.datetime | None = None
    slot_id: int | None = None
    delete: bool = False


@dataclass
class NewMaterial:
    title: str
    file: object | None = None  # an UploadedFile / django File
    url: str = ""


@dataclass
class Edit:
    """What `webinar_update` applies, all at once under one lock."""

    fields: dict = field(default_factory=dict)
    slots: list[SlotChange] = field(default_factory=list)
    materials_add: list[NewMaterial] = field(default_factory=list)
    materials_remove: list[int] = field(default_factory=list)


# --- checks (pure: usable by forms before the lock, and again by the services under it) ----


def field_errors(
    *, values: dict, live_seats: int, any_seats: bool, starts_at, current: dict | None = None
) -> dict[str, list[str]]:
    """The invariants of the webinar's own fields. `values` are the fields after the edit,
    `current` the stored ones (None when creating)."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    price, early = values.get("price"), values.get("early_bird_price")
    deadline = values.get("early_bird_deadline")
    if price is not None and price < 0:
        add("price", "The price cannot be negative.")
    if early is not None:
        if early < 0:
            add("early_bird_price", "The early-bird price cannot be negative.")
        elif price is not None and early > price:
            add("early_bird_price", "The early-bird price cannot be above the regular price.")
        if deadline is None:
            add("early_bird_deadline", "Set until when the early-bird price applies.")
    if deadline is not None and starts_at is not None and deadline > starts_at:
        add("early_bird_deadline", "The early-bird deadline must be before the webinar starts.")
    capacity = values.get("max_attendees")
    if capacity is None or capacity < 1:
        add("max_attendees", "A webinar needs at least one seat.")
    elif capacity < live_seats:
        add(
            "max_attendees",
            f"{live_seats} seat(s) are already held or sold: the capacity cannot be lower.",
        )
    minimum = values.get("min_attendees") or 0
    if capacity and minimum > capacity:
        add("min_attendees", "The minimum cannot be above the capacity.")
    link = values.get("join_link") or ""
    if link:
        try:
            URLValidator(schemes=["https", "http"])(link)
        except ValidationError:
            add("join_link", "Enter a full link starting with https://.")
    full, partial = values.get("full_refund_hours"), values.get("partial_refund_hours")
    if full is not None and partial is not None and full < partial:
        add("full_refund_hours", "The full-refund deadline must come before the partial one.")
    percent = values.get("partial_refund_percent")
    if percent is not None and not 0 <= percent <= 100:
        add("partial_refund_percent", "The partial refund is a percentage from 0 to 100.")
    if current is not None and any_seats:
        for name in FROZEN_WITH_SEATS:
            if name in values and values[name] != current.get(name):
                add(name, "Seats were already sold at this setting: it cannot change now.")
    return errors


def slot_errors(
    *, start, end, now: dt.datetime, deadline: dt.datetime | None = None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if start is None or end is None:
        return {"start": ["Give the slot a start and an end."]}
    if start <= now:
        errors["start"] = ["A slot cannot start in the past."]
    if end <= start:
        errors["end"] = ["A slot must end after it starts."]
    if deadline is not None and deadline > start:
        errors.setdefault("start", []).append(
            "The slot starts before the early-bird deadline: move the deadline first."
        )
    return errors


def material_file_errors(upload) -> list[str]:
    """Type (extension and first bytes) and size of an uploaded material."""
    if upload is None:
        return []
    errors = []
    name = getattr(upload, "name", "") or ""
    extension = os.path.splitext(name)[1].lower()
    if extension not in MATERIAL_EXTENSIONS:
        errors.append(
            f"Files of type “{extension or 'no extension'}” are not accepted. Allowed: "
            + ", ".join(sorted(e.lstrip(".") for e in MATERIAL_EXTENSIONS))
            + "."
        )
    size = getattr(upload, "size", None) or 0
    limit = settings.WEBINAR_MATERIAL_MAX_BYTES
    if size > limit:
        errors.append(f"The file is larger than {limit // (1024 * 1024)} MB.")
    try:
        upload.seek(0)
        head = upload.read(4)
        upload.seek(0)
    except (AttributeError, OSError, ValueError):
        head = b""
    if any(head.startswith(magic) for magic in EXECUTABLE_MAGIC):
        errors.append("Programs and scripts cannot be shared as materials.")
    return errors


def material_errors(material: NewMaterial) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not (material.title or "").strip():
        errors["material_title"] = ["Give the material a title."]
    if not material.file and not material.url:
        errors["material_file"] = ["Upload a file or give a link."]
    file_errors = material_file_errors(material.file) if material.file else []
    if file_errors:
        errors["material_file"] = file_errors
    if material.url:
        try:
            URLValidator(schemes=["https", "http"])(material.url)
        except ValidationError:
            errors["material_url"] = ["Enter a full link starting with https://."]
    return errors


# --- services ---------------------------------------------------------------------------


def _check_editor(webinar: Webinar, by) -> None:
    if not (getattr(by, "sees_everything", False) or webinar.coach.user_id == by.pk):
        raise NotYourWebinar()


def _locked(webinar_id: int, by) -> Webinar:
    try:
        webinar = locks.lock_webinar(webinar_id)
    except Webinar.DoesNotExist:
        raise NotYourWebinar() from None
    _check_editor(webinar, by)
    return webinar


def _seat_counts(webinar_id: int) -> tuple[int, bool]:
    registrations = Registration.objects.filter(webinar_id=webinar_id)
    live = registrations.filter(status__in=LIVE).count()
    return live, live > 0 or registrations.filter(payment__isnull=False).exists()


def _starts_after(webinar_id: int, slots: list[SlotChange]) -> dt.datetime | None:
    """The webinar's first start once `slots` are applied (None without any slot)."""
    starts = dict(WebinarSlot.objects.filter(webinar_id=webinar_id).values_list("pk", "start"))
    for change in slots:
        if change.slot_id is None:
            if change.start is not None:
                starts[f"new-{id(change)}"] = change.start
        elif change.delete:
            starts.pop(change.slot_id, None)
        elif change.slot_id in starts and change.start is not None:
            starts[change.slot_id] = change.start
    return min(starts.values()) if starts else None


def _allowed_fields(by) -> tuple[str, ...]:
    extra = STAFF_ONLY_FIELDS if getattr(by, "sees_everything", False) else ()
    return EDITABLE_FIELDS + extra


@transaction.atomic
def webinar_create(*, coach, by, fields: dict, slots: list[SlotChange] = ()) -> Webinar:
    """A new webinar, always a draft (publish it with `webinar_publish`)."""
    if not (getattr(by, "sees_everything", False) or coach.user_id == by.pk):
        raise NotYourWebinar()
    values = {k: v for k, v in fields.items() if k in _allowed_fields(by)}
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
    _apply_slots(webinar, list(slots), now=timezone.now())
    return webinar


@transaction.atomic
def webinar_update(*, webinar_id: int, by, edit: Edit) -> Webinar:
    """Apply an edit (fields, slots, materials) under the webinar lock; all or nothing."""
    webinar = _locked(webinar_id, by)
    now = timezone.now()
    expire_stale_holds(webinar=webinar, now=now)  # a lapsed hold no longer takes a seat
    live_seats, any_seats = _seat_counts(webinar.pk)
    changes = {
        k: v
        for k, v in edit.fields.items()
        if k in _allowed_fields(by) and getattr(webinar, k) != v
    }
    current = {name: getattr(webinar, name) for name in _allowed_fields(by)}
    values = {**current, **changes}
    starts_at = _starts_after(webinar.pk, edit.slots)
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
    _apply_slots(webinar, edit.slots, now=now, live_seats=live_seats)
    for material in edit.materials_add:
        _add_material(webinar, material)
    for material_id in edit.materials_remove:
        _remove_material(webinar, material_id)
    live_panels_push(webinar.pk, None)
    return webinar


def _apply_slots(
    webinar: Webinar, slots: list[SlotChange], *, now: dt.datetime, live_seats: int = 0
) -> None:
    """Caller holds the webinar lock."""
    existing = {s.pk: s for s in WebinarSlot.objects.filter(webinar_id=webinar.pk)}
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
def webinar_slot_add(*, webinar_id: int, by, start, end) -> WebinarSlot:
    webinar = _locked(webinar_id, by)
    _apply_slots(webinar, [SlotChange(start=start, end=end)], now=timezone.now())
    return WebinarSlot.objects.filter(webinar=webinar, start=start, end=end).latest("pk")


@transaction.atomic
def webinar_slot_reschedule(*, slot_id: int, by, start, end) -> WebinarSlot:
    """Move a slot; its attendees are told (WEBINAR_RESCHEDULED)."""
    webinar_id = WebinarSlot.objects.filter(pk=slot_id).values_list("webinar_id", flat=True)
    webinar = _locked(webinar_id.first() or 0, by)
    _apply_slots(webinar, [SlotChange(slot_id=slot_id, start=start, end=end)], now=timezone.now())
    return WebinarSlot.objects.get(pk=slot_id)


@transaction.atomic
def webinar_slot_remove(*, slot_id: int, by) -> None:
    webinar_id = WebinarSlot.objects.filter(pk=slot_id).values_list("webinar_id", flat=True)
    webinar = _locked(webinar_id.first() or 0, by)
    live_seats, _ = _seat_counts(webinar.pk)
    _apply_slots(
        webinar,
        [SlotChange(slot_id=slot_id, delete=True)],
        now=timezone.now(),
        live_seats=live_seats,
    )


def _add_material(webinar: Webinar, material: NewMaterial) -> Material:
    errors = material_errors(material)
    if errors:
        raise WebinarInvalid(errors)
    position = Material.objects.filter(webinar_id=webinar.pk).count()
    row = Material(
        webinar=webinar, title=material.title.strip(), url=material.url, position=position
    )
    if material.file:
        # Through the configured storage (FileField.save): local disk in development, any
        # Django storage backend in production. The name is the storage's (made unique).
        row.file.save(os.path.basename(material.file.name), material.file, save=False)
    row.save()
    return row


def _remove_material(webinar: Webinar, material_id: int) -> None:
    row = Material.objects.filter(webinar_id=webinar.pk, pk=material_id).first()
    if row is None:
        return
    name, storage = row.file.name, row.file.storage
    row.delete()
    if name:
        # The file goes once the row is gone for good (a rollback keeps both).
        run_on_commit(lambda: storage.delete(name))


@transaction.atomic
def webinar_material_add(*, webinar_id: int, by, material: NewMaterial) -> Material:
    webinar = _locked(webinar_id, by)
    return _add_material(webinar, material)


@transaction.atomic
def webinar_material_remove(*, material_id: int, by) -> None:
    webinar_id = Material.objects.filter(pk=material_id).values_list("webinar_id", flat=True)
    webinar = _locked(webinar_id.first() or 0, by)
    _remove_material(webinar, material_id)


@transaction.atomic
def webinar_publish(*, webinar_id: int, by) -> Webinar:
    """Draft → open for booking: `scheduled`, or `pending_minimum_attendees` while the
    confirmed seats are below the minimum. Needs a price and a future slot."""
    webinar = _locked(webinar_id, by)
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
def webinar_unpublish(*, webinar_id: int, by) -> Webinar:
    """Back to draft (hidden), only while nobody holds or bought a seat: attendees would
    lose a webinar they paid for without the refunds that cancelling makes."""
    webinar = _locked(webinar_id, by)
    if webinar.status == Webinar.Status.DRAFT:
        return webinar
    if webinar.status not in Webinar.BOOKABLE_STATUSES:
        raise WebinarInvalid({"": ["Only an open webinar can go back to draft."]})
    live_seats, _ = _seat_counts(webinar.pk)
    if live_seats:
        raise WebinarInvalid(
            {"": [f"{live_seats} seat(s) are held or sold: cancel the webinar instead."]}
        )
    webinar.status = Webinar.Status.DRAFT
    webinar.save(update_fields=["status", "updated_at"])
    live_panels_push(webinar.pk, None)
    return webinar


@transaction.atomic
def webinar_material_update(
    *, material_id: int, by, title: str, url: str = "", position: int = 0, file=None
) -> Material:
    """Rename, re-link, re-order, or replace the file of a material (the admin's inline)."""
    webinar_id = Material.objects.filter(pk=material_id).values_list("webinar_id", flat=True)
    webinar = _locked(webinar_id.first() or 0, by)
    row = Material.objects.get(pk=material_id, webinar_id=webinar.pk)
    # Checked as a new material would be; keeping the stored file counts as having one.
    errors = material_errors(NewMaterial(title=title, file=file, url=url))
    if file is None and (row.file or url):
        errors.pop("material_file", None)
    if errors:
        raise WebinarInvalid(errors)
    row.title, row.url, row.position = title.strip(), url, position
    old_name = ""
    if file is not None:
        old_name = row.file.name
        row.file.save(os.path.basename(file.name), file, save=False)
    row.save()
    if old_name:
        storage = row.file.storage
        run_on_commit(lambda: storage.delete(old_name))
    return row
