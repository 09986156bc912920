"""Admin screens for 1:1 sessions. Coaches see and change only their own rows
(OwnedByCoachAdminMixin); staff see everything. Availability created here goes through the
same services as the calendar page, so weekly series are generated in the coach's zone and
touching slots are merged."""

from collections.abc import Mapping
from typing import Any

from django.contrib import admin
from django.db import models

from accounts.admin_scoping import OwnedByCoachAdminMixin, coach_of
from accounts.models import Block, Connection
from bookings.admin_forms import (
    AvailabilitySeriesAdminForm,
    AvailabilitySlotAdminForm,
    DiscountCodeAdminForm,
    OwnerAwareForm,
)
from bookings.models import (
    WEEKDAY_CHOICES,
    AvailabilitySeries,
    AvailabilitySlot,
    Booking,
    DiscountCode,
    SessionType,
    SpecialPeriod,
    SuggestedTime,
    TimeBasedRate,
)
from bookings.services import availability
from core.admin import ReadOnlyRecordAdminMixin, SingleLineInputsAdminMixin

URL_FIELDS_HTTPS: Mapping[type[models.Field], Mapping[str, Any]] = {
    models.URLField: {"assume_scheme": "https"}
}


class CoachDefaultMixin(SingleLineInputsAdminMixin, OwnedByCoachAdminMixin):
    """A coach never picks the coach: it is them."""

    def get_exclude(self, request, obj=None):
        excluded = list(super().get_exclude(request, obj) or [])
        if not request.user.sees_everything:
            excluded.append("coach")
        return excluded

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if issubclass(form, OwnerAwareForm) and not request.user.sees_everything:
            form.owner = coach_of(request.user)  # the coach field is hidden from coaches
        return form

    def save_model(self, request, obj, form, change):
        if not change and not request.user.sees_everything:
            obj.coach = coach_of(request.user)
        super().save_model(request, obj, form, change)


@admin.register(SessionType)
class SessionTypeAdmin(CoachDefaultMixin, admin.ModelAdmin):
    formfield_overrides = URL_FIELDS_HTTPS
    list_display = (
        "name",
        "coach",
        "duration_min",
        "duration_max",
        "duration_step",
        "price_factor",
        "is_active",
    )
    list_filter = ("is_active", "format")
    list_select_related = ("coach__user",)
    search_fields = ("name",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "coach",
                    "name",
                    "description",
                    "format",
                    "meeting_url",
                    "is_active",
                    "price_factor",
                )
            },
        ),
        (
            "Duration (minutes)",
            {"fields": ("duration_default", "duration_min", "duration_max", "duration_step")},
        ),
        (
            "Booking rules",
            {
                "fields": (
                    "allow_firm_booking",
                    "firm_booking_threshold_hours",
                    "min_notice_hours",
                    "buffer_before_minutes",
                    "buffer_after_minutes",
                    "max_sessions_per_day",
                    "max_sessions_per_week",
                    "require_approval_non_connected",
                )
            },
        ),
        (
            "Cancellation policy",
            {"fields": ("full_refund_hours", "partial_refund_hours", "partial_refund_percent")},
        ),
    )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.sees_everything:
            return fieldsets
        first = (None, {"fields": tuple(f for f in fieldsets[0][1]["fields"] if f != "coach")})
        return (first, *fieldsets[1:])


@admin.register(AvailabilitySlot)
class AvailabilitySlotAdmin(CoachDefaultMixin, admin.ModelAdmin):
    form = AvailabilitySlotAdminForm

    def get_changeform_initial_data(self, request):
        """Prefill from the query string only with values the split date/time widgets can
        show: they expect datetimes, and a text like ?start=9999-12-31 made the page 500."""
        from bookings.errors import BookingError
        from bookings.http import parse_instant

        initial = super().get_changeform_initial_data(request)
        for name in ("start", "end"):
            if name in initial:
                try:
                    initial[name] = parse_instant(initial[name], field=name)
                except BookingError:
                    del initial[name]
        return initial

    list_display = ("start", "end", "coach", "instant_booking", "session_type", "series")
    list_filter = ("instant_booking",)
    list_select_related = ("coach__user", "session_type", "series")
    date_hierarchy = "start"
    owned_foreign_keys = {"session_type": "coach", "series": "coach"}
    readonly_fields = ("series",)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        coach = obj.coach if request.user.sees_everything else coach_of(request.user)
        slot = availability.availability_add(
            coach=coach,
            start=obj.start,
            end=obj.end,
            instant_booking=obj.instant_booking,
            session_type=obj.session_type,
        )
        obj.pk, obj.start, obj.end = slot.pk, slot.start, slot.end
        obj._state.adding = False


@admin.register(AvailabilitySeries)
class AvailabilitySeriesAdmin(CoachDefaultMixin, admin.ModelAdmin):
    """Adding a series generates its weekly slots in the coach's zone."""

    form = AvailabilitySeriesAdminForm

    list_display = ("__str__", "coach", "timezone", "instant_booking", "created_at")
    list_select_related = ("coach__user",)
    owned_foreign_keys = {"session_type": "coach"}
    readonly_fields = ("timezone",)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        coach = obj.coach if request.user.sees_everything else coach_of(request.user)
        series = availability.availability_add_weekly(
            coach=coach,
            weekdays=obj.weekdays,
            start_time=obj.start_time,
            end_time=obj.end_time,
            first_date=obj.first_date,
            last_date=obj.last_date,
            instant_booking=obj.instant_booking,
            session_type=obj.session_type,
        )
        obj.pk, obj.timezone, obj.coach = series.pk, series.timezone, coach
        obj._state.adding = False


@admin.register(TimeBasedRate)
class TimeBasedRateAdmin(CoachDefaultMixin, admin.ModelAdmin):
    list_display = ("name", "coach", "days", "start_time", "end_time", "percent", "is_active")

    @admin.display(description="weekdays")
    def days(self, obj) -> str:
        """Weekday names ("Mon, Fri"), not the stored list ("[0, 4]")."""
        names = dict(WEEKDAY_CHOICES)
        return ", ".join(names[d][:3] for d in sorted(obj.weekdays or []) if d in names)

    list_select_related = ("coach__user",)
    owned_foreign_keys = {"session_type": "coach"}


@admin.register(SpecialPeriod)
class SpecialPeriodAdmin(CoachDefaultMixin, admin.ModelAdmin):
    list_display = ("name", "coach", "start_date", "end_date", "hourly_rate", "is_active")
    list_select_related = ("coach__user",)
    owned_foreign_keys = {"session_type": "coach"}


@admin.register(DiscountCode)
class DiscountCodeAdmin(CoachDefaultMixin, admin.ModelAdmin):
    form = DiscountCodeAdminForm
    list_display = (
        "code",
        "coach",
        "kind",
        "value",
        "valid_from",
        "valid_until",
        "max_uses",
        "is_active",
    )
    list_filter = ("kind", "is_active")
    list_select_related = ("coach__user",)
    search_fields = ("code",)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "session_types" and not request.user.sees_everything:
            kwargs["queryset"] = SessionType.objects.filter(coach=coach_of(request.user))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class SuggestedTimeInline(admin.TabularInline):
    model = SuggestedTime
    extra = 0
    can_delete = False
    readonly_fields = ("start", "end", "created_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Booking)
class BookingAdmin(ReadOnlyRecordAdminMixin, OwnedByCoachAdminMixin, admin.ModelAdmin):
    """Read-only: bookings change through their actions (accept, cancel, ...) so that money,
    availability and notifications stay consistent."""

    list_display = (
        "start",
        "title",
        "coach",
        "client",
        "status",
        "booking_type",
        "amount_total",
        "currency",
    )
    list_filter = ("status", "booking_type")
    formfield_overrides = URL_FIELDS_HTTPS
    list_select_related = ("coach__user", "client")
    search_fields = ("client__email", "title")
    date_hierarchy = "start"
    inlines = [SuggestedTimeInline]

    def get_readonly_fields(self, request, obj=None):
        # The meeting link moves no money and no time: the coach may set it per session.
        return [f for f in super().get_readonly_fields(request, obj) if f != "meeting_url"]


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    list_display = ("client", "coach", "status", "requested_by", "created_at")
    list_filter = ("status",)
    list_select_related = ("client", "coach__user", "requested_by")


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ("blocker", "blocked", "created_at")
    list_select_related = ("blocker", "blocked")
