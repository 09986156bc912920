"""Payout records in the admin, for platform staff only (read-only: the run writes them).
"Payout items" filtered by status=failed is the staff's list of transfers to look at."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin

from payments.payouts.models import (
    CoachDebt,
    ConnectAccount,
    PayoutItem,
    PayoutReversal,
    Settlement,
)

if TYPE_CHECKING:
    from django.db.models import Model
    from django.http import HttpRequest


class StaffOnlyReadOnly(admin.ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.sees_everything

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_active and request.user.sees_everything

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(ConnectAccount)
class ConnectAccountAdmin(StaffOnlyReadOnly):
    list_display = (
        "coach",
        "stripe_account_id",
        "details_submitted",
        "payouts_enabled",
        "transfers_capability",
        "synced_at",
    )
    search_fields = ("stripe_account_id", "coach__user__email")


@admin.register(PayoutItem)
class PayoutItemAdmin(StaffOnlyReadOnly):
    list_display = (
        "id",
        "coach",
        "status",
        "currency",
        "gross_share",
        "refund_deduction",
        "debt_netted",
        "amount_transferred",
        "due_at",
        "attempts",
        "stripe_transfer_id",
        "last_error",
    )
    list_filter = ("status", "currency")
    list_select_related = ("coach__user",)
    search_fields = ("stripe_transfer_id", "transfer_group", "coach__user__email")


@admin.register(PayoutReversal)
class PayoutReversalAdmin(StaffOnlyReadOnly):
    list_display = ("id", "item", "amount", "status", "stripe_reversal_id", "created_at")
    list_filter = ("status",)


@admin.register(CoachDebt)
class CoachDebtAdmin(StaffOnlyReadOnly):
    list_display = ("id", "coach", "currency", "amount", "remaining", "reason", "created_at")


@admin.register(Settlement)
class SettlementAdmin(StaffOnlyReadOnly):
    list_display = (
        "id",
        "coach",
        "currency",
        "total_transferred",
        "pdf",
        "emailed_at",
        "created_at",
    )
    list_select_related = ("coach__user",)
