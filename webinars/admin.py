"""Coaches manage their own webinars here (OwnedByCoachAdminMixin); staff see all."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpResponse
from django.utils import timezone

from accounts.admin_scoping import OwnedByCoachAdminMixin, coach_of
from webinars.exports import attendees_csv
from webinars.models import Material, Registration, Webinar, WebinarSlot
from webinars.selectors import with_counts


class WebinarSlotInline(admin.TabularInline):
    model = WebinarSlot
    extra = 1
    min_num = 0


class MaterialInline(admin.TabularInline):
    model = Material
    extra = 0
    fields = ("title", "file", "url", "position")


def _csv_response(registrations, filename: str) -> HttpResponse:
    response = HttpResponse(attendees_csv(registrations), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@admin.register(Webinar)
class WebinarAdmin(OwnedByCoachAdminMixin, admin.ModelAdmin):
    coach_lookup = "coach"
    list_display = ("title", "starts", "status", "price_now", "attendees")
    list_filter = ("status",)
    search_fields = ("title",)
    list_select_related = ("coach__user",)
    inlines = [WebinarSlotInline, MaterialInline]
    actions = ["export_attendees"]
    fieldsets = (
        (None, {"fields": ("coach", "title", "description", "status", "join_link")}),
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
    )

    def get_queryset(self, request):
        return with_counts(super().get_queryset(request), now=timezone.now())

    def get_readonly_fields(self, request, obj=None):
        # The platform fee is the platform's decision, not the coach's.
        return () if request.user.sees_everything else ("platform_fee_percent",)

    def save_model(self, request, obj, form, change):
        coach = coach_of(request.user)
        if not request.user.sees_everything and coach is not None:
            obj.coach = coach
        super().save_model(request, obj, form, change)

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
