"""Add, remove and update a webinar's materials."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from django.db import transaction

from core.oncommit import run_on_commit
from webinars.errors import WebinarInvalid
from webinars.models import Material, Webinar
from webinars.services.editing.checks import NewMaterial, material_errors
from webinars.services.editing.guards import locked_for_edit

if TYPE_CHECKING:
    from django.core.files.base import File

    from accounts.models import User


def add_material(webinar: Webinar, material: NewMaterial) -> Material:
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
        assert material.file.name is not None  # an upload has a name
        row.file.save(os.path.basename(material.file.name), material.file, save=False)
    row.save()
    return row


def remove_material(webinar: Webinar, material_id: int) -> None:
    row = Material.objects.filter(webinar_id=webinar.pk, pk=material_id).first()
    if row is None:
        return
    name, storage = row.file.name, row.file.storage
    row.delete()
    if name:
        # The file goes once the row is gone for good (a rollback keeps both).
        run_on_commit(lambda: storage.delete(name))


@transaction.atomic
def webinar_material_add(*, webinar_id: int, by: User, material: NewMaterial) -> Material:
    webinar = locked_for_edit(webinar_id, by)
    return add_material(webinar, material)


@transaction.atomic
def webinar_material_remove(*, material_id: int, by: User) -> None:
    webinar_id = Material.objects.filter(pk=material_id).values_list("webinar_id", flat=True)
    webinar = locked_for_edit(webinar_id.first() or 0, by)
    remove_material(webinar, material_id)


@transaction.atomic
def webinar_material_update(
    *,
    material_id: int,
    by: User,
    title: str,
    url: str = "",
    position: int = 0,
    file: File[Any] | None = None,
) -> Material:
    """Rename, re-link, re-order, or replace the file of a material (the admin's inline)."""
    webinar_id = Material.objects.filter(pk=material_id).values_list("webinar_id", flat=True)
    webinar = locked_for_edit(webinar_id.first() or 0, by)
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
        assert file.name is not None  # an upload has a name
        row.file.save(os.path.basename(file.name), file, save=False)
    row.save()
    if old_name:
        storage = row.file.storage
        run_on_commit(lambda: storage.delete(old_name))
    return row
