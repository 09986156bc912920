"""The staff queue of refund requests (escalated first, then oldest first) and the staff
decision (amount, policy, required note; final). Coaches see their own requests read-only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from accounts.admin_scoping import OwnedByCoachAdminMixin
from core.admin import ReadOnlyRecordAdminMixin
from payments.errors import PaymentError
from payments.refunds.models import RefundPolicy, RefundRequest

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse
    from django.urls import URLPattern

    from core.http import AuthenticatedRequest


class ResolveForm(forms.Form):
    amount = forms.DecimalField(
        label="Refund amount (0 = no refund)", min_value=0, max_digits=12, decimal_places=2
    )
    policy = forms.ChoiceField(label="Who bears the cost", choices=RefundPolicy.choices)
    note = forms.CharField(
        label="Note (shown to both parties; final)", widget=forms.Textarea(attrs={"rows": 3})
    )


@admin.register(RefundRequest)
class RefundRequestAdmin(ReadOnlyRecordAdminMixin, OwnedByCoachAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "created_at",
        "status",
        "purchase_label",
        "amount",
        "currency",
        "reason",
        "coach",
        "client",
        "coach_due_at",
        "escalated_at",
    )
    list_filter = ("status", "reason")
    list_select_related = ("coach__user", "client")
    search_fields = ("client__email", "purchase_label")

    # list[Any]: django-stubs types ordering as strings only; Django also takes expressions.
    def get_ordering(self, request: HttpRequest) -> list[Any]:
        # The staff queue: escalated first, then requests still waiting, oldest first.
        rank = Case(
            When(status=RefundRequest.Status.ESCALATED, then=Value(0)),
            When(status__in=(RefundRequest.Status.OPEN, RefundRequest.Status.DECLINED), then=1),
            default=Value(2),
            output_field=IntegerField(),
        )
        return [rank.asc(), "created_at", "pk"]

    def get_urls(self) -> list[URLPattern]:
        extra = [
            path(
                "<int:pk>/resolve/",
                self.admin_site.admin_view(self.resolve_view),
                name="payments_refundrequest_resolve",
            )
        ]
        return extra + super().get_urls()

    def resolve_view(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        from payments.refunds.requests import refund_request_resolve

        if not request.user.sees_everything:
            raise PermissionDenied
        refund_request = get_object_or_404(RefundRequest, pk=pk)
        change_url = reverse("admin:payments_refundrequest_change", args=[pk])
        form = ResolveForm(request.POST or None, initial={"amount": refund_request.amount})
        if request.method == "POST" and form.is_valid():
            try:
                refund_request_resolve(
                    staff=request.user,
                    request_id=pk,
                    amount=form.cleaned_data["amount"],
                    policy=form.cleaned_data["policy"],
                    note=form.cleaned_data["note"],
                )
            except PaymentError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "Decision recorded; both parties were told.")
                return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Decide refund request {pk}",
            "refund_request": refund_request,
            "thread": refund_request.messages.all(),
            "form": form,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/payments/refundrequest/resolve.html", context)
