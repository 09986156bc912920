"""Coaches manage their own webinars here (OwnedByCoachAdminMixin); staff see all."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import models
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from accounts.admin_scoping import OwnedByCoachAdminMixin, coach_of
from core.admin import SingleLineInputsAdminMixin
from webinars.errors import WebinarError
from webinars.exports import attendees_csv
from webinars.forms import CancelWebinarForm
from webinars.models import Material, Registration, Webinar, WebinarSlot
from webinars.selectors import cancellation_preview, with_counts
from webinars.services import webinar_cancel


class WebinarSlotInline(SingleLineInputsAdminMixin, admin.TabularInline):
    model = WebinarSlot
    extra = 1
    min_num = 0


# Links typed without a scheme are https (Django 6's default; silences the 5.x warning).
URL_FIELDS_HTTPS = {models.URLField: {"assume_scheme": "https"}}


class MaterialInline(SingleLineInputsAdminMixin, admin.TabularInline):
    model = Material
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
    inlines = [WebinarSlotInline, MaterialInline]
    actions = ["export_attendees", "cancel_webinars"]
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
        readonly = ["cancelled_at", "cancellation_reason"]
        if obj is not None and obj.status == Webinar.Status.CANCELLED:
            readonly.append("status")  # final: attendees were refunded
        if not request.user.sees_everything:
            readonly.append("platform_fee_percent")  # the platform's decision, not the coach's
        return readonly

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or obj.status != Webinar.Status.CANCELLED:
            fieldsets = [f for f in fieldsets if f[0] != "Cancellation"]
        return fieldsets

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status":
            # Cancelling refunds and tells every attendee: only the "Cancel webinar" action
            # (or the coach's page) does it, never a status change in the form.
            kwargs["choices"] = [
                choice for choice in db_field.choices if choice[0] != Webinar.Status.CANCELLED
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        coach = coach_of(request.user)
        if not request.user.sees_everything and coach is not None:
            obj.coach = coach
        super().save_model(request, obj, form, change)
        if change and "max_attendees" in form.changed_data:
            from webinars.services import webinar_seats_offer

            webinar_seats_offer(webinar_id=obj.pk)  # more seats: the waitlist gets them first

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
