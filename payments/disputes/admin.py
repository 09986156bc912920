"""Disputes in the admin: the staff queue (open disputes, oldest first, with due dates) and
the staff actions (stage evidence, submit it once, accept). Coaches see their own disputes
read-only (scoped like payments); the actions are for platform staff only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from accounts.admin_scoping import OwnedByCoachAdminMixin
from core.admin import ReadOnlyRecordAdminMixin
from payments.disputes import services
from payments.disputes.evidence import evidence_prefill
from payments.disputes.forms import AcceptForm, EvidenceForm
from payments.disputes.models import OPEN_STATUSES, Dispute
from payments.errors import PaymentError

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest, HttpResponse
    from django.urls import URLPattern

    from accounts.models import User
    from core.http import AuthenticatedRequest


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> tuple[tuple[str, str], ...]:
        return (("open", "Open (needs staff)"), ("closed", "Closed"))

    def queryset(self, request: HttpRequest, queryset: QuerySet[Dispute]) -> QuerySet[Dispute]:
        if self.value() == "open":
            return queryset.filter(outcome="", status__in=OPEN_STATUSES)
        if self.value() == "closed":
            return queryset.exclude(outcome="")
        return queryset


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyRecordAdminMixin, OwnedByCoachAdminMixin, admin.ModelAdmin):
    change_form_template = "admin/payments/dispute/change_form.html"
    list_display = (
        "stripe_dispute_id",
        "created_at",
        "status",
        "reason",
        "amount",
        "currency",
        "due_by",
        "coach",
        "purchase_label",
        "evidence_state",
        "outcome",
    )
    list_filter = (StateFilter, "status", "outcome", "reason")
    list_select_related = ("coach__user",)
    search_fields = ("stripe_dispute_id", "stripe_charge_id", "stripe_payment_intent_id")
    ordering = ("created_at", "pk")

    @admin.display(description="Evidence")
    def evidence_state(self, obj: Dispute) -> str:
        if obj.submitted_at:
            return "submitted"
        if obj.submit_started_at:
            return "submitting"
        return "staged" if obj.evidence else "–"

    def get_urls(self) -> list[URLPattern]:
        extra = [
            path(
                "<int:pk>/evidence/",
                self.admin_site.admin_view(self.evidence_view),
                name="payments_dispute_evidence",
            ),
            path(
                "<int:pk>/accept/",
                self.admin_site.admin_view(require_POST(self.accept_view)),
                name="payments_dispute_accept",
            ),
        ]
        return extra + super().get_urls()

    def _staff_dispute(self, request: AuthenticatedRequest, pk: int) -> Dispute:
        if not request.user.sees_everything:
            raise PermissionDenied
        return get_object_or_404(Dispute.objects.select_related("payment", "coach__user"), pk=pk)

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
            "dispute_staff_actions": user.sees_everything,
            "accept_form": AcceptForm(),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def evidence_view(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        dispute = self._staff_dispute(request, pk)
        change_url = reverse("admin:payments_dispute_change", args=[dispute.pk])
        if request.method == "POST":
            form = EvidenceForm(request.POST)
            if form.is_valid():
                submit = request.POST.get("action") == "submit"
                try:
                    # A submit after the evidence went out is refused by the submit service
                    # itself ("already submitted"), so only stage while Stripe takes evidence.
                    if dispute.can_submit_evidence or not submit:
                        services.dispute_evidence_stage(
                            dispute_id=dispute.pk, evidence=form.cleaned_data, staff=request.user
                        )
                    if submit:
                        services.dispute_evidence_submit(dispute_id=dispute.pk, staff=request.user)
                        messages.success(request, "Evidence submitted to Stripe.")
                        return redirect(change_url)
                    messages.success(request, "Evidence saved (not submitted yet).")
                    return redirect(request.path)
                except PaymentError as exc:
                    messages.error(request, exc.message)
        else:
            form = EvidenceForm(initial=evidence_prefill(dispute))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Evidence for {dispute}",
            "dispute": dispute,
            "form": form,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/payments/dispute/evidence.html", context)

    def accept_view(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        dispute = self._staff_dispute(request, pk)
        form = AcceptForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Tick the box to confirm you accept the dispute.")
        else:
            try:
                services.dispute_accept(dispute_id=dispute.pk, staff=request.user)
                messages.success(request, "Dispute accepted: it is closed as lost.")
            except PaymentError as exc:
                messages.error(request, exc.message)
        return redirect(reverse("admin:payments_dispute_change", args=[dispute.pk]))
