"""Staff-only admin: notifications, the email outbox (with "retry"), preferences, reminder log.

These rows are personal to their recipients, so only platform staff (`sees_everything`) see
them, even if a coach's group were ever given the model permissions.
"""

from django.contrib import admin, messages

from notifications import deferred, services, suppressions
from notifications.models import (
    DeferredNotification,
    EmailDeliveryEvent,
    EmailSuppression,
    Notification,
    NotificationPreference,
    OutboundEmail,
    ReminderLog,
)


class StaffOnlyAdmin(admin.ModelAdmin):
    def has_module_permission(self, request):
        return request.user.is_active and request.user.sees_everything

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.sees_everything

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


@admin.register(Notification)
class NotificationAdmin(StaffOnlyAdmin):
    list_display = ("title", "recipient", "type", "category", "priority", "read_at", "created_at")
    list_filter = ("category", "type", "priority", ("read_at", admin.EmptyFieldListFilter))
    list_select_related = ("recipient",)
    search_fields = ("title", "recipient__email")
    date_hierarchy = "created_at"


@admin.register(OutboundEmail)
class OutboundEmailAdmin(StaffOnlyAdmin):
    list_display = (
        "subject",
        "to_email",
        "type",
        "status",
        "delivery_status",
        "attempts",
        "created_at",
        "sent_at",
    )
    list_filter = ("status", "delivery_status", "type")
    search_fields = ("to_email", "subject")
    date_hierarchy = "created_at"
    readonly_fields = (
        "recipient",
        "notification",
        "type",
        "to_email",
        "subject",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "claimed_at",
        "sent_at",
        "provider_message_id",
        "delivery_status",
        "delivery_updated_at",
        "body_text",
        "ics_method",
        "ics_content",
    )
    exclude = ("body_html",)
    actions = ("retry_failed",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recipient")

    def has_change_permission(self, request, obj=None):
        # Viewing the change form needs "change"; every field is read-only anyway.
        return request.user.is_active and request.user.sees_everything

    @admin.action(description="Retry the selected failed emails")
    def retry_failed(self, request, queryset):
        retried = sum(
            services.email_retry(email_id=email_id)
            for email_id in queryset.filter(status=OutboundEmail.Status.FAILED).values_list(
                "pk", flat=True
            )
        )
        skipped = queryset.count() - retried
        messages.success(request, f"{retried} email(s) queued again.")
        if skipped:
            messages.warning(request, f"{skipped} selected email(s) were not failed; left alone.")


@admin.register(DeferredNotification)
class DeferredNotificationAdmin(StaffOnlyAdmin):
    """Notices decided by a committed write and not yet built (notifications.deferred). Rows
    older than a minute mean the build task did not run (broker or worker down); the sweep
    builds them every minute, or staff build them now with the action."""

    list_display = ("created_at", "type", "recipient", "target_model", "target_id")
    list_filter = ("type",)
    list_select_related = ("recipient",)
    search_fields = ("recipient__email",)
    actions = ["build_now"]

    @admin.action(description="Build and send the selected notices now")
    def build_now(self, request, queryset):
        built = sum(
            deferred.deferred_notification_build(deferred_id=pk)
            for pk in queryset.values_list("pk", flat=True)
        )
        self.message_user(request, f"{built} notice(s) built and queued.", messages.SUCCESS)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(StaffOnlyAdmin):
    list_display = ("user", "category", "in_app", "email", "updated_at")
    list_filter = ("category", "in_app", "email")
    list_select_related = ("user",)
    search_fields = ("user__email",)


@admin.register(ReminderLog)
class ReminderLogAdmin(StaffOnlyAdmin):
    list_display = ("kind", "object_id", "offset", "recipient", "email", "created_at")
    list_filter = ("kind", "offset")
    list_select_related = ("recipient",)
    search_fields = ("recipient__email", "email", "object_id")


@admin.register(EmailDeliveryEvent)
class EmailDeliveryEventAdmin(StaffOnlyAdmin):
    list_display = ("created_at", "provider", "event_type", "recipient", "reject_reason", "email")
    list_filter = ("provider", "event_type")
    list_select_related = ("email",)
    search_fields = ("recipient", "message_id", "event_id")
    date_hierarchy = "created_at"


@admin.register(EmailSuppression)
class EmailSuppressionAdmin(StaffOnlyAdmin):
    """Addresses we no longer email. Staff lift one (the owner fixed their mailbox, or the
    bounce was the provider's mistake) with the action; the row stays as history."""

    list_display = ("email", "reason", "created_at", "lifted_at", "lifted_note")
    list_filter = ("reason", ("lifted_at", admin.EmptyFieldListFilter))
    search_fields = ("email",)
    readonly_fields = (
        "email",
        "reason",
        "detail",
        "event",
        "created_at",
        "lifted_at",
        "lifted_note",
    )
    actions = ("lift",)

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.sees_everything

    @admin.action(description="Lift the selected suppressions (email goes out again)")
    def lift(self, request, queryset):
        note = f"lifted by {request.user.email}"
        lifted = sum(
            suppressions.suppression_lift(suppression_id=pk, note=note)
            for pk in queryset.filter(lifted_at__isnull=True).values_list("pk", flat=True)
        )
        messages.success(request, f"{lifted} suppression(s) lifted.")
