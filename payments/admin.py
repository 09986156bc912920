from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from accounts.admin_scoping import OwnedByCoachAdminMixin
from core.admin import ReadOnlyRecordAdminMixin
from payments.errors import PaymentError
from payments.models import Payment, Transaction, WebhookEvent
from payments.refunds.forms import StaffRefundForm
from payments.refunds.models import Refund

if TYPE_CHECKING:
    from django.db.models import Model
    from django.http import HttpRequest, HttpResponse
    from django.urls import URLPattern

    from accounts.models import User
    from core.http import AuthenticatedRequest


class TransactionInline(admin.TabularInline):
    model = Transaction
    extra = 0
    can_delete = False
    readonly_fields = (
        "kind",
        "amount",
        "currency",
        "policy",
        "initiator",
        "actor",
        "stripe_object_id",
        "note",
        "created_at",
    )

    def has_add_permission(self, request: HttpRequest, obj: Payment | None = None) -> bool:
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
    change_form_template = "admin/payments/payment/change_form.html"

    def get_urls(self) -> list[URLPattern]:
        extra = [
            path(
                "<int:pk>/refund/",
                self.admin_site.admin_view(self.refund_view),
                name="payments_payment_refund",
            )
        ]
        return extra + super().get_urls()

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # Behind admin_site.admin_view (get_urls): the user is an active staff User.
        user = cast("User", request.user)
        extra_context = {
            **(extra_context or {}),
            "payment_staff_refund": user.sees_everything,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def refund_view(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        """Staff only: refund by hand through the refund service (initiator staff)."""
        from payments.refunds.service import refund_issue

        if not request.user.sees_everything:
            raise PermissionDenied
        payment = get_object_or_404(Payment, pk=pk)
        change_url = reverse("admin:payments_payment_change", args=[payment.pk])
        form = StaffRefundForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                refund = refund_issue(
                    payment_id=payment.pk,
                    amount=form.cleaned_data["amount"],
                    policy=form.cleaned_data["policy"],
                    initiator="staff",
                    actor=request.user,
                    reason=form.cleaned_data["note"],
                    note=form.cleaned_data["note"],
                )
            except PaymentError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request, f"Refunded {refund.currency} {refund.amount} ({refund.policy})."
                )
                return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Refund payment {payment.pk}",
            "payment": payment,
            "form": form,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/payments/payment/refund.html", context)


@admin.register(Refund)
class RefundAdmin(ReadOnlyRecordAdminMixin, admin.ModelAdmin):
    """Refund attempts (pending ones are retried by reconcile_payments). Staff only."""

    list_display = (
        "id",
        "created_at",
        "payment",
        "amount",
        "currency",
        "policy",
        "initiator",
        "actor",
        "status",
        "attempts",
    )
    list_filter = ("status", "policy", "initiator")
    search_fields = ("stripe_refund_id", "payment__stripe_payment_intent_id")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.sees_everything

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_active and request.user.sees_everything


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

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.sees_everything

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_active and request.user.sees_everything

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


from payments.disputes import admin as _disputes_admin  # noqa: E402, F401
from payments.payouts import admin as _payouts_admin  # noqa: E402, F401
from payments.refunds import admin as _refunds_admin  # noqa: E402, F401
