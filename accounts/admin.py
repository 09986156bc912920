import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils import timezone

from accounts import suspension
from accounts.admin_scoping import OwnedByCoachAdminMixin
from accounts.forms import CoachAdminForm
from accounts.models import AccountSanction, Coach, User
from core.admin import ReadOnlyRecordAdminMixin, SingleLineInputsAdminMixin

SANCTION_FIELDS = ("suspended_until", "banned_at", "suspension_reason", "hidden_from_search_at")


class SanctionActionForm(ActionForm):
    """The admin's action bar: how many days a suspension lasts and why (every sanction
    action passes the reason on; the user reads it on their banner and in the email)."""

    days = forms.IntegerField(
        label="Days (suspend)", min_value=1, max_value=3650, required=False, initial=7
    )
    reason = forms.CharField(label="Reason", max_length=500, required=False)


class AccountSanctionInline(admin.TabularInline):
    model = AccountSanction
    fk_name = "user"
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "source", "until", "reason", "actor", "reversed_at")
    readonly_fields = fields
    ordering = ("-created_at",)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(SingleLineInputsAdminMixin, DjangoUserAdmin):
    ordering = ("email",)
    list_display = (
        "email",
        "first_name",
        "last_name",
        "role",
        "timezone",
        "is_active",
        "date_joined",
    )
    list_filter = (
        "role",
        "is_staff",
        "is_active",
        ("suspended_until", admin.EmptyFieldListFilter),
        ("banned_at", admin.EmptyFieldListFilter),
        ("hidden_from_search_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "timezone")}),
        ("Role", {"fields": ("role", "stripe_customer_id")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
        (
            "Sanctions (change them with the actions on the user list)",
            {"fields": SANCTION_FIELDS},
        ),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "password1", "password2", "role")}),
    )
    readonly_fields = SANCTION_FIELDS
    inlines = [AccountSanctionInline]
    action_form = SanctionActionForm
    actions = ["suspend_users", "ban_users", "hide_users_from_search", "lift_sanctions"]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def _sanction_input(self, request) -> tuple[int, str]:
        form = SanctionActionForm(request.POST)
        form.is_valid()
        data = getattr(form, "cleaned_data", {})
        return data.get("days") or 7, (data.get("reason") or "").strip()

    def _staff_only(self, request) -> bool:
        if not request.user.sees_everything:
            self.message_user(request, "Only platform staff can sanction users.", messages.ERROR)
            return False
        return True

    @admin.action(description="Suspend for the number of days given")
    def suspend_users(self, request, queryset):
        if not self._staff_only(request):
            return
        days, reason = self._sanction_input(request)
        until = timezone.now() + dt.timedelta(days=days)
        for user in queryset:
            suspension.user_suspend(
                user=user, until=until, reason=reason, actor=request.user, source="staff"
            )
        self.message_user(request, f"{queryset.count()} user(s) suspended for {days} days.")

    @admin.action(description="Ban (no end date)")
    def ban_users(self, request, queryset):
        if not self._staff_only(request):
            return
        _days, reason = self._sanction_input(request)
        for user in queryset:
            suspension.user_suspend(
                user=user, until=None, reason=reason, actor=request.user, source="staff"
            )
        self.message_user(request, f"{queryset.count()} user(s) banned.")

    @admin.action(description="Hide from search and profiles")
    def hide_users_from_search(self, request, queryset):
        if not self._staff_only(request):
            return
        _days, reason = self._sanction_input(request)
        for user in queryset:
            suspension.user_hide_from_search(
                user=user, reason=reason, actor=request.user, source="staff"
            )
        self.message_user(request, f"{queryset.count()} user(s) hidden from search.")

    @admin.action(description="Lift suspension, ban and hiding")
    def lift_sanctions(self, request, queryset):
        if not self._staff_only(request):
            return
        _days, reason = self._sanction_input(request)
        for user in queryset:
            suspension.user_lift(user=user, actor=request.user, reason=reason)
        self.message_user(request, f"Sanctions lifted for {queryset.count()} user(s).")


@admin.register(AccountSanction)
class AccountSanctionAdmin(ReadOnlyRecordAdminMixin, admin.ModelAdmin):
    """The history of sanctions (staff only; written by accounts.suspension)."""

    list_display = ("created_at", "user", "kind", "source", "until", "actor", "reversed_at")
    list_filter = ("kind", "source", ("reversed_at", admin.EmptyFieldListFilter))
    list_select_related = ("user", "actor")
    search_fields = ("user__email", "reason")
    date_hierarchy = "created_at"

    def has_module_permission(self, request):
        return request.user.is_active and request.user.sees_everything

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.sees_everything

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Coach)
class CoachAdmin(SingleLineInputsAdminMixin, OwnedByCoachAdminMixin, admin.ModelAdmin):
    coach_lookup = "pk"
    form = CoachAdminForm
    list_display = (
        "user",
        "headline",
        "hourly_rate",
        "currency",
        "calendar_visibility",
        "is_listed",
        "slug",
    )
    list_select_related = ("user",)
    search_fields = ("user__email", "user__first_name", "user__last_name", "headline")

    def get_readonly_fields(self, request, obj=None):
        # The platform fee (bookings pricing) is the platform's to set, not the coach's.
        coach_readonly = ("user", "slug", "stripe_account_id", "platform_fee_percent")
        return ("slug",) if request.user.sees_everything else coach_readonly
