import csv
from datetime import UTC

from django.contrib import admin
from django.http import HttpResponse
from django.utils import timezone

from launch.models import Lead, LegalPage
from webinars.exports import safe_row


class PlatformStaffAdmin(admin.ModelAdmin):
    """Platform staff only (superuser or role staff), never the coaches' scoped admin."""

    def _staff(self, request) -> bool:
        return request.user.is_active and request.user.sees_everything

    def has_module_permission(self, request):
        return self._staff(request)

    def has_view_permission(self, request, obj=None):
        return self._staff(request)

    def has_change_permission(self, request, obj=None):
        return self._staff(request)


@admin.register(LegalPage)
class LegalPageAdmin(PlatformStaffAdmin):
    list_display = ["title", "slug", "updated_at"]
    readonly_fields = ["updated_at"]

    def has_add_permission(self, request):
        return False  # the three pages ship with the data migration; staff edit them

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Lead)
class LeadAdmin(PlatformStaffAdmin):
    list_display = ["email", "role", "created_at", "confirmed_at"]
    list_filter = ["role", ("confirmed_at", admin.EmptyFieldListFilter)]
    search_fields = ["email"]
    readonly_fields = ["email", "role", "created_at", "confirmed_at"]
    actions = ["export_csv"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Export selected leads as CSV")
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d")
        response["Content-Disposition"] = f'attachment; filename="leads-{stamp}.csv"'
        writer = csv.writer(response)
        writer.writerow(safe_row(["email", "role", "signed up (UTC)", "confirmed (UTC)"]))
        for lead in queryset.order_by("created_at", "pk"):
            writer.writerow(
                safe_row(
                    [
                        lead.email,
                        lead.role,
                        lead.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
                        lead.confirmed_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
                        if lead.confirmed_at
                        else "",
                    ]
                )
            )
        return response
