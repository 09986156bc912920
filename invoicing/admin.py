import io
from datetime import date

from django.contrib import admin, messages
from django.http import HttpResponse

from core.admin import PlatformStaffOnlyMixin, ReadOnlyRecordAdminMixin
from invoicing.export import documents_csv_write
from invoicing.models import (
    BillingDetails,
    Document,
    DocumentContest,
    DocumentLine,
    SelfBillingAgreement,
)
from invoicing.services import contest_resolve


class DocumentLineInline(admin.TabularInline):
    model = DocumentLine
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "position",
        "description",
        "date_of_supply",
        "quantity",
        "net",
        "vat_rate",
        "vat",
        "gross",
        "currency",
    )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(PlatformStaffOnlyMixin, ReadOnlyRecordAdminMixin, admin.ModelAdmin):
    """Issued documents are never changed or deleted here (a correction is a credit note)."""

    list_display = (
        "number",
        "kind",
        "issue_date",
        "recipient_name",
        "owner",
        "gross_total",
        "currency",
        "refers_to",
        "pdf_ready",
    )
    list_filter = ("kind", "currency", "issue_date")
    search_fields = ("number", "recipient_name", "owner__email", "issuer_name", "reference")
    date_hierarchy = "issued_at"
    list_select_related = ("owner", "refers_to")
    inlines = [DocumentLineInline]
    actions = ["export_csv"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(boolean=True, description="PDF")
    def pdf_ready(self, obj):
        return bool(obj.pdf)

    @admin.action(description="Export selected documents as CSV (for the accountant)")
    def export_csv(self, request, queryset):
        out = io.StringIO()
        documents_csv_write(
            queryset.prefetch_related("lines").order_by("kind", "year", "sequence"), out
        )
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="documents-{date.today()}.csv"'
        return response


@admin.register(DocumentContest)
class DocumentContestAdmin(PlatformStaffOnlyMixin, ReadOnlyRecordAdminMixin, admin.ModelAdmin):
    list_display = ("document", "raised_by", "created_at", "resolution", "resolved_at")
    list_filter = ("resolved_at",)
    search_fields = ("document__number", "raised_by__email")
    actions = ["resolve_with_credit_note"]

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Resolve: revoke the self-billed invoice with a credit note")
    def resolve_with_credit_note(self, request, queryset):
        for contest in queryset:
            credit = contest_resolve(contest_id=contest.pk)
            messages.success(request, f"{contest.document.number} revoked by {credit.number}.")


@admin.register(SelfBillingAgreement)
class SelfBillingAgreementAdmin(PlatformStaffOnlyMixin, ReadOnlyRecordAdminMixin, admin.ModelAdmin):
    list_display = ("coach", "version", "accepted_at", "accepted_by")
    search_fields = ("coach__user__email",)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(BillingDetails)
class BillingDetailsAdmin(PlatformStaffOnlyMixin, admin.ModelAdmin):
    list_display = ("user", "legal_name", "vat_number", "vat_registered", "updated_at")
    search_fields = ("user__email", "legal_name", "vat_number")
