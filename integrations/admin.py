"""Staff views of Calendly connections and their inbox (read-mostly; no secrets shown)."""

from django.contrib import admin

from integrations.models import (
    CalendlyBooking,
    CalendlyConnection,
    CalendlyLead,
    CalendlyWebhookEvent,
)


@admin.register(CalendlyConnection)
class CalendlyConnectionAdmin(admin.ModelAdmin):
    list_display = ("coach", "state", "scope", "token_last4", "connected_at", "state_checked_at")
    list_filter = ("state", "scope")
    exclude = ("token_encrypted", "signing_key_encrypted", "webhook_token")
    readonly_fields = ("coach", "user_uri", "organization_uri", "subscription_uri", "events")

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False


@admin.register(CalendlyWebhookEvent)
class CalendlyWebhookEventAdmin(admin.ModelAdmin):
    list_display = ("event_type", "subject_uri", "status", "attempts", "received_at")
    list_filter = ("status", "event_type")
    readonly_fields = [f.name for f in CalendlyWebhookEvent._meta.fields]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CalendlyBooking)
class CalendlyBookingAdmin(admin.ModelAdmin):
    list_display = ("invitee_uri", "booking", "overlaps")

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CalendlyLead)
class CalendlyLeadAdmin(admin.ModelAdmin):
    list_display = ("submitter_name", "submitter_email", "submitted_at")

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False
