"""Checks of an edit, pure: usable by forms before the lock, and again by the services under it."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

if TYPE_CHECKING:
    from django.core.files.base import File

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
    file: File[Any] | None = None  # an UploadedFile / django File
    url: str = ""


@dataclass
class Edit:
    """What `webinar_update` applies, all at once under one lock."""

    fields: dict[str, Any] = field(default_factory=dict)
    slots: list[SlotChange] = field(default_factory=list)
    materials_add: list[NewMaterial] = field(default_factory=list)
    materials_remove: list[int] = field(default_factory=list)


# --- checks (pure: usable by forms before the lock, and again by the services under it) ----


def field_errors(
    *,
    values: dict[str, Any],
    live_seats: int,
    any_seats: bool,
    starts_at: dt.datetime | None,
    current: dict[str, Any] | None = None,
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
    *,
    start: dt.datetime | None,
    end: dt.datetime | None,
    now: dt.datetime,
    deadline: dt.datetime | None = None,
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


def material_file_errors(upload: File[Any] | None) -> list[str]:
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
