"""Staff views of Calendly connections and their inbox (read-mostly; no secrets shown)."""

from django.contrib import admin

from integrations.models import (
    CalendlyBooking,
    CalendlyConnection,
    CalendlyLead,
    CalendlyWebhookEvent,
)


class SuperuserOnlyMixin:
    """Calendly's connections and inbox hold coaches' integration data: superusers only, and
    nothing is added here (connections are made by the coach on /coach/integrations/)."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False


class SuperuserReadOnlyMixin(SuperuserOnlyMixin):
    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CalendlyConnection)
class CalendlyConnectionAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ("coach", "state", "scope", "token_last4", "connected_at", "state_checked_at")
    list_filter = ("state", "scope")
    exclude = ("token_encrypted", "signing_key_encrypted", "webhook_token")
    readonly_fields = ("coach", "user_uri", "organization_uri", "subscription_uri", "events")


@admin.register(CalendlyWebhookEvent)
class CalendlyWebhookEventAdmin(SuperuserReadOnlyMixin, admin.ModelAdmin):
    list_display = ("event_type", "subject_uri", "status", "attempts", "received_at")
    list_filter = ("status", "event_type")
    readonly_fields = [f.name for f in CalendlyWebhookEvent._meta.fields]


@admin.register(CalendlyBooking)
class CalendlyBookingAdmin(SuperuserReadOnlyMixin, admin.ModelAdmin):
    list_display = ("invitee_uri", "booking", "overlaps")


@admin.register(CalendlyLead)
class CalendlyLeadAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ("submitter_name", "submitter_email", "submitted_at")
