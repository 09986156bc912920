from django.contrib import admin

from accounts.admin_scoping import OwnedByCoachAdminMixin
from core.admin import ReadOnlyRecordAdminMixin
from payments.models import Payment, Transaction, WebhookEvent


class TransactionInline(admin.TabularInline):
    model = Transaction
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "amount", "currency", "stripe_object_id", "note", "created_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyRecordAdminMixin, OwnedByCoachAdminMixin, admin.ModelAdmin):
    # Money records are never edited by hand; refunds go through the refund service.
    list_display = (
        "id",
        "created_at",
        "payer",
        "coach",
        "purpose",
        "amount_total",
        "currency",
        "status",
    )
    list_filter = ("status", "purpose", "currency")
    list_select_related = ("payer", "coach__user")
    search_fields = ("stripe_payment_intent_id", "payer__email")
    date_hierarchy = "created_at"
    inlines = [TransactionInline]


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ("received_at", "type", "stripe_event_id", "status", "attempts")
    list_filter = ("status", "type")
    search_fields = ("stripe_event_id",)
    readonly_fields = (
        "stripe_event_id",
        "type",
        "payload",
        "status",
        "attempts",
        "error",
        "received_at",
        "processed_at",
    )

    def has_module_permission(self, request):
        return request.user.is_active and request.user.sees_everything

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.sees_everything

    def has_add_permission(self, request):
        return False


from payments.disputes import admin as _disputes_admin  # noqa: E402, F401
from payments.payouts import admin as _payouts_admin  # noqa: E402, F401
