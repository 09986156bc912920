"""Coaches manage their own webinars here (OwnedByCoachAdminMixin); staff see all.

Every change goes through `webinars.services.editing` (the same services as the coach's
editor on the site): the webinar's fields are written field by field under the webinar lock,
never as a whole row, so an open admin form cannot revert a status a payment changed; the
status changes only through the Publish / Back to draft / Cancel actions. The forms run the
services' checks first, so a broken invariant is a form error; one that appears between the
check and the save (a seat sold meanwhile) rolls the whole save back with an error message."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone

from accounts.admin_scoping import OwnedByCoachAdminMixin, coach_of
from core.admin import SingleLineInputsAdminMixin
from webinars.errors import WebinarError, WebinarInvalid
from webinars.exports import attendees_csv
from webinars.forms import CancelWebinarForm
from webinars.models import Material, Registration, Webinar, WebinarSlot
from webinars.selectors import cancellation_preview, with_counts
from webinars.services import (
    Edit,
    NewMaterial,
    webinar_cancel,
    webinar_create,
    webinar_material_add,
    webinar_material_remove,
    webinar_material_update,
    webinar_publish,
    webinar_slot_add,
    webinar_slot_remove,
    webinar_slot_reschedule,
    webinar_unpublish,
    webinar_update,
)
from webinars.services.editing import (
    EDITABLE_FIELDS,
    STAFF_ONLY_FIELDS,
    field_errors,
    material_file_errors,
    slot_errors,
)


class SlotInlineFormSet(BaseInlineFormSet):
    """A new or moved slot must start in the future and after the early-bird deadline (the
    parent form already applied its cleaned values to `self.instance`)."""

    def clean(self):
        super().clean()
        now = timezone.now()
        for form in self.forms:
            if not form.has_changed() or form.cleaned_data.get("DELETE") or form.errors:
                continue
            if not ({"start", "end"} & set(form.changed_data)):
                continue
            errors = slot_errors(
                start=form.cleaned_data.get("start"),
                end=form.cleaned_data.get("end"),
                now=now,
                deadline=self.instance.early_bird_deadline,
            )
            for name, problems in errors.items():
                for problem in problems:
                    form.add_error(name, problem)


class WebinarSlotInline(SingleLineInputsAdminMixin, admin.TabularInline):
    model = WebinarSlot
    formset = SlotInlineFormSet
    extra = 1
    min_num = 0


class MaterialInlineForm(forms.ModelForm):
    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and "file" in self.changed_data:
            problems = material_file_errors(upload)
            if problems:
                raise forms.ValidationError(problems)
        return upload


class WebinarAdminForm(forms.ModelForm):
    """Runs the editing services' checks, so a broken invariant is a field error here too."""

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        instance = self.instance
        live_seats, any_seats, current, starts_at = 0, False, None, None
        if instance.pk:
            registrations = Registration.objects.filter(webinar_id=instance.pk)
            live_seats = registrations.filter(status__in=Registration.LIVE_STATUSES).count()
            any_seats = live_seats > 0 or registrations.filter(payment__isnull=False).exists()
            stored = Webinar.objects.get(pk=instance.pk)
            current = {name: getattr(stored, name) for name in EDITABLE_FIELDS + STAFF_ONLY_FIELDS}
            starts_at = WebinarSlot.objects.filter(webinar_id=instance.pk).order_by("start")
            starts_at = starts_at.values_list("start", flat=True).first()
        values = {**(current or {}), **{k: v for k, v in cleaned.items() if k in self.fields}}
        errors = field_errors(
            values=values,
            live_seats=live_seats,
            any_seats=any_seats,
            starts_at=starts_at,
            current=current,
        )
        for name, problems in errors.items():
            for problem in problems:
                self.add_error(name if name in self.fields else None, problem)
        return cleaned


# Links typed without a scheme are https (Django 6's default; silences the 5.x warning).
URL_FIELDS_HTTPS: Mapping[type[models.Field], Mapping[str, Any]] = {
    models.URLField: {"assume_scheme": "https"}
}


class MaterialInline(SingleLineInputsAdminMixin, admin.TabularInline):
    model = Material
    form = MaterialInlineForm
    formfield_overrides = URL_FIELDS_HTTPS
    extra = 0
    fields = ("title", "file", "url", "position")


def _csv_response(registrations, filename: str) -> HttpResponse:
    response = HttpResponse(attendees_csv(registrations), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@admin.register(Webinar)
class WebinarAdmin(SingleLineInputsAdminMixin, OwnedByCoachAdminMixin, admin.ModelAdmin):
    coach_lookup = "coach"
    formfield_overrides = URL_FIELDS_HTTPS
    list_display = ("title", "starts", "status", "price_now", "attendees")
    list_filter = ("status",)
    search_fields = ("title",)
    list_select_related = ("coach__user",)
    form = WebinarAdminForm
    inlines = [WebinarSlotInline, MaterialInline]
    actions = ["export_attendees", "publish_webinars", "unpublish_webinars", "cancel_webinars"]
    fieldsets = (
        (None, {"fields": ("coach", "title", "description", "status", "join_link")}),
        ("Cancellation", {"fields": ("cancelled_at", "cancellation_reason")}),
        (
            "Price (VAT included)",
            {
                "fields": (
                    "price",
                    "currency",
                    "early_bird_price",
                    "early_bird_deadline",
                    "vat_rate",
                    "platform_fee_percent",
                )
            },
        ),
        ("Seats", {"fields": ("max_attendees", "min_attendees")}),
        (
            "Attendee cancellation terms",
            {
                "fields": ("full_refund_hours", "partial_refund_hours", "partial_refund_percent"),
                "description": "What an attendee who gives the seat back is refunded (shown "
                "on the webinar page before booking and before they confirm).",
            },
        ),
    )

    def get_queryset(self, request):
        return with_counts(super().get_queryset(request), now=timezone.now())

    def get_readonly_fields(self, request, obj=None):
        # The status changes only through the services (Publish / Back to draft / Cancel
        # actions, and the seat services for the minimum-attendees transition).
        readonly = ["status", "cancelled_at", "cancellation_reason"]
        if obj is not None and obj.registrations.exists():
            readonly.append("currency")  # seats were quoted in it
        if not request.user.sees_everything:
            readonly.append("platform_fee_percent")  # the platform's decision, not the coach's
        return readonly

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or obj.status != Webinar.Status.CANCELLED:
            fieldsets = [f for f in fieldsets if f[0] != "Cancellation"]
        return fieldsets

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except WebinarInvalid as exc:
            # Raised under the lock after the form's own checks passed (a seat was sold in
            # between): the admin's transaction is rolled back, nothing is saved.
            for problems in exc.errors.values() or [[exc.message]]:
                for problem in problems:
                    self.message_user(request, f"Nothing was saved: {problem}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        fields = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in EDITABLE_FIELDS + STAFF_ONLY_FIELDS
        }
        if change:
            webinar_update(webinar_id=obj.pk, by=request.user, edit=Edit(fields=fields))
            obj.refresh_from_db()
            return
        coach = obj.coach
        if not request.user.sees_everything and coach_of(request.user) is not None:
            coach = coach_of(request.user)
        all_fields = {
            name: form.cleaned_data[name]
            for name in EDITABLE_FIELDS + STAFF_ONLY_FIELDS
            if name in form.cleaned_data
        }
        created = webinar_create(coach=coach, by=request.user, fields=all_fields)
        # The inlines are saved against `obj` next: make it the created row.
        for model_field in Webinar._meta.concrete_fields:
            setattr(obj, model_field.attname, getattr(created, model_field.attname))
        obj._state.adding = False

    def save_formset(self, request, form, formset, change):
        # The admin's change message reads these; the services below do the writes.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if formset.model is WebinarSlot:
            self._save_slots(request, form.instance, formset)
        elif formset.model is Material:
            self._save_materials(request, form.instance, formset)
        else:  # pragma: no cover - no other inline
            super().save_formset(request, form, formset, change)

    def _save_slots(self, request, webinar, formset) -> None:
        for inline_form in formset.forms:
            data = getattr(inline_form, "cleaned_data", None) or {}
            slot = inline_form.instance
            if data.get("DELETE"):
                if slot.pk:
                    webinar_slot_remove(slot_id=slot.pk, by=request.user)
            elif not inline_form.has_changed():
                continue
            elif slot.pk:
                webinar_slot_reschedule(
                    slot_id=slot.pk, by=request.user, start=data["start"], end=data["end"]
                )
            else:
                webinar_slot_add(
                    webinar_id=webinar.pk, by=request.user, start=data["start"], end=data["end"]
                )

    def _save_materials(self, request, webinar, formset) -> None:
        for inline_form in formset.forms:
            data = getattr(inline_form, "cleaned_data", None) or {}
            material = inline_form.instance
            if data.get("DELETE"):
                if material.pk:
                    webinar_material_remove(material_id=material.pk, by=request.user)
            elif not inline_form.has_changed():
                continue
            elif material.pk:
                webinar_material_update(
                    material_id=material.pk,
                    by=request.user,
                    title=data["title"],
                    url=data.get("url") or "",
                    position=data.get("position") or 0,
                    file=data.get("file") if "file" in inline_form.changed_data else None,
                )
            else:
                webinar_material_add(
                    webinar_id=webinar.pk,
                    by=request.user,
                    material=NewMaterial(
                        title=data["title"], file=data.get("file"), url=data.get("url") or ""
                    ),
                )

    @admin.action(description="Publish the selected drafts (open for booking)")
    def publish_webinars(self, request, queryset):
        self._each(request, queryset, webinar_publish, "published")

    @admin.action(description="Back to draft (only webinars nobody booked)")
    def unpublish_webinars(self, request, queryset):
        self._each(request, queryset, webinar_unpublish, "back to draft")

    def _each(self, request, queryset, service, done: str) -> None:
        for webinar in queryset.order_by("pk"):
            try:
                service(webinar_id=webinar.pk, by=request.user)
            except WebinarError as exc:
                self.message_user(request, f"{webinar.title}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{webinar.title}: {done}.", messages.SUCCESS)

    @admin.display(description="Starts", ordering="starts_at")
    def starts(self, obj):
        return (
            timezone.localtime(obj.starts_at).strftime("%Y-%m-%d %H:%M") if obj.starts_at else "—"
        )

    @admin.display(description="Price")
    def price_now(self, obj):
        return "not set" if obj.price is None else f"{obj.currency} {obj.price}"

    @admin.display(description="Attendees")
    def attendees(self, obj):
        return f"{obj.confirmed_count} / {obj.max_attendees}"

    @admin.action(description="Export attendees of the selected webinars (CSV)")
    def export_attendees(self, request, queryset):
        registrations = (
            Registration.objects.filter(
                webinar__in=queryset.values("pk"), status=Registration.Status.CONFIRMED
            )
            .select_related("webinar", "user")
            .order_by("webinar_id", "confirmed_at")
        )
        return _csv_response(registrations, "attendees.csv")

    @admin.action(description="Cancel the selected webinars and refund their attendees")
    def cancel_webinars(self, request, queryset):
        """Two steps like Django's delete action: a confirmation page with the refunds each
        cancellation makes and a reason field, then `webinar_cancel` for each webinar."""
        webinars = list(queryset.order_by("pk"))
        form = CancelWebinarForm(request.POST if "confirm" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._cancel_each(request, webinars, form.cleaned_data["reason"])
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Cancel webinars and refund their attendees",
            "opts": self.model._meta,
            "previews": [cancellation_preview(webinar=w) for w in webinars],
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "selected": [w.pk for w in webinars],
        }
        return TemplateResponse(request, "admin/webinars/webinar/cancel_selected.html", context)

    def _cancel_each(self, request, webinars, reason: str) -> None:
        for webinar in webinars:
            try:
                result = webinar_cancel(webinar_id=webinar.pk, by=request.user, reason=reason)
            except WebinarError as exc:
                self.message_user(request, f"{webinar.title}: {exc.message}", messages.ERROR)
                continue
            self.message_user(
                request,
                f"{webinar.title}: cancelled; {result.refunded} attendee(s) refunded "
                f"{webinar.currency} {result.refund_total}, {result.released_holds} hold(s) "
                "released.",
                messages.SUCCESS,
            )


@admin.register(Registration)
class RegistrationAdmin(OwnedByCoachAdminMixin, admin.ModelAdmin):
    coach_lookup = "webinar__coach"
    list_display = (
        "user",
        "webinar",
        "status",
        "amount",
        "currency",
        "price_reason",
        "confirmed_at",
    )
    list_filter = ("status", "price_reason")
    search_fields = ("user__email", "webinar__title")
    list_select_related = ("user", "webinar")
    actions = ["export_csv"]

    def get_readonly_fields(self, request, obj=None):
        # Seats and money change through the booking and payment services only.
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Export the selected registrations (CSV)")
    def export_csv(self, request, queryset):
        return _csv_response(queryset.select_related("webinar", "user"), "registrations.csv")
