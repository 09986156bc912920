"""The coach's webinar editor on the site (issue 16): /webinars/mine/new/, .../<id>/edit/,
.../<id>/publish/ and .../<id>/unpublish/. Thin: forms parse, `webinars.services.editing`
checks the invariants under the webinar lock and writes; its errors come back as field
errors on the same forms."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from core.decorators import coach_required
from webinars import selectors, services
from webinars.errors import NotYourWebinar, WebinarInvalid
from webinars.forms import MaterialUploadForm, SlotFormSet, WebinarEditorForm, add_service_errors
from webinars.services.editing import Edit, SlotChange

SLOT_FIELDS = ("start", "end", "slots")
MATERIAL_FIELDS = ("material_title", "material_file", "material_url")
PUBLISH_FIELDS = ("price", "slots")


def _own_webinar_or_404(request, webinar_id: int):
    webinar = selectors.webinar_for_editor(
        webinar_id=webinar_id, user=request.user, now=timezone.now()
    )
    if webinar is None:
        raise Http404("Webinar not found.")
    return webinar


def _slot_changes(formset) -> list[SlotChange]:
    changes = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data:
            continue
        slot_id = data.get("slot_id")
        if data.get("DELETE"):
            if slot_id:
                changes.append(SlotChange(slot_id=slot_id, delete=True))
            continue
        if data.get("start") and data.get("end"):
            changes.append(SlotChange(slot_id=slot_id, start=data["start"], end=data["end"]))
    return changes


def _render(request, *, webinar, form, slots, material_form, status=200):
    context = {
        "webinar": webinar,
        "form": form,
        "slots": slots,
        "material_form": material_form,
        "materials": list(webinar.materials.all()) if webinar else [],
        "max_material_mb": settings.WEBINAR_MATERIAL_MAX_BYTES // (1024 * 1024),
    }
    return render(request, "webinars/editor.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@coach_required
def webinar_new(request, coach):
    post = request.method == "POST"
    form = WebinarEditorForm(request.POST if post else None)
    slots = SlotFormSet(request.POST if post else None, prefix="slots")
    material_form = MaterialUploadForm()
    if post and form.is_valid() and slots.is_valid():
        try:
            webinar = services.webinar_create(
                coach=coach, by=request.user, fields=form.cleaned_data, slots=_slot_changes(slots)
            )
        except WebinarInvalid as exc:
            add_service_errors(exc, (form, tuple(form.fields)), (slots.forms[0], SLOT_FIELDS))
        else:
            messages.success(request, f"“{webinar.title}” is saved as a draft.")
            return redirect("webinars:edit", webinar_id=webinar.pk)
    status = 400 if post else 200
    return _render(
        request, webinar=None, form=form, slots=slots, material_form=material_form, status=status
    )


@require_http_methods(["GET", "POST"])
@login_required
@coach_required
def webinar_edit(request, webinar_id: int, coach):
    webinar = _own_webinar_or_404(request, webinar_id)
    post = request.method == "POST"
    initial_slots = [
        {"slot_id": s.pk, "start": timezone.localtime(s.start), "end": timezone.localtime(s.end)}
        for s in webinar.slots.all()
    ]
    form = WebinarEditorForm(
        request.POST if post else None, instance=webinar, live_seats=webinar.live_count
    )
    slots = SlotFormSet(request.POST if post else None, initial=initial_slots, prefix="slots")
    material_form = MaterialUploadForm(request.POST if post else None, request.FILES or None)
    if post and form.is_valid() and slots.is_valid() and material_form.is_valid():
        new_material = material_form.new_material()
        remove = [int(pk) for pk in request.POST.getlist("remove_material") if pk.isdigit()]
        edit = Edit(
            fields=form.cleaned_data,
            slots=_slot_changes(slots),
            materials_add=[new_material] if new_material else [],
            materials_remove=remove,
        )
        try:
            services.webinar_update(webinar_id=webinar.pk, by=request.user, edit=edit)
        except NotYourWebinar as exc:
            raise Http404(exc.message) from exc
        except WebinarInvalid as exc:
            add_service_errors(
                exc,
                (form, tuple(form.fields)),
                (slots.forms[0], SLOT_FIELDS),
                (material_form, MATERIAL_FIELDS),
            )
        else:
            messages.success(request, "Your changes are saved.")
            return redirect("webinars:edit", webinar_id=webinar.pk)
        webinar = _own_webinar_or_404(request, webinar_id)  # as stored: nothing was saved
    status = 400 if post else 200
    return _render(
        request, webinar=webinar, form=form, slots=slots, material_form=material_form, status=status
    )


@require_POST
@login_required
@coach_required
def webinar_publish(request, webinar_id: int, coach):
    webinar = _own_webinar_or_404(request, webinar_id)
    service = (
        services.webinar_unpublish if "unpublish" in request.POST else services.webinar_publish
    )
    try:
        webinar = service(webinar_id=webinar.pk, by=request.user)
    except NotYourWebinar as exc:
        raise Http404(exc.message) from exc
    except WebinarInvalid as exc:
        for problems in exc.errors.values():
            for message in problems:
                messages.error(request, message)
        return redirect("webinars:edit", webinar_id=webinar.pk)
    if webinar.status == webinar.Status.DRAFT:
        messages.success(request, f"“{webinar.title}” is a draft again: nobody can see it.")
    else:
        messages.success(request, f"“{webinar.title}” is published: clients can book it now.")
    return redirect("webinars:edit", webinar_id=webinar.pk)
