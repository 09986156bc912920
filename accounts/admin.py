from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.admin_scoping import OwnedByCoachAdminMixin
from accounts.forms import CoachAdminForm
from accounts.models import Coach, User
from core.admin import SingleLineInputsAdminMixin


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
    list_filter = ("role", "is_staff", "is_active")
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
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "password1", "password2", "role")}),
    )


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
