"""Receipts & invoices pages, PDF downloads, billing details, the self-billing agreement."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.decorators import coach_required
from core.http import safe_next
from invoicing import selectors
from invoicing.errors import ContestNotAllowed
from invoicing.forms import BillingDetailsForm, ContestForm, SelfBillingAcceptForm
from invoicing.models import BillingDetails
from invoicing.pdf import document_pdf_bytes
from invoicing.services import self_billed_invoice_contest, self_billing_agreement_accept
from invoicing.services.self_billing import (
    contest_deadline,
    current_agreement_version,
    self_billing_agreement_of,
)


@login_required
@require_GET
def documents_list(request):
    documents = list(selectors.documents_of(request.user))
    for document in documents:
        document.contest_until = (
            contest_deadline(document) if document.kind == "self_billed" else None
        )
    return render(
        request,
        "invoicing/documents.html",
        {"documents": documents, "contest_form": ContestForm()},
    )


@login_required
@require_GET
def document_pdf(request, number: str):
    document = selectors.document_for(user=request.user, number=number)
    if document is None:
        raise Http404("No such document.")
    response = HttpResponse(document_pdf_bytes(document), content_type="application/pdf")
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{document.pdf_filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def document_contest(request, number: str):
    document = selectors.document_for(user=request.user, number=number)
    if document is None or document.owner_id != request.user.pk:
        raise Http404("No such document.")
    form = ContestForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Please say what is wrong (up to 2,000 characters).")
        return redirect("invoicing:list")
    try:
        self_billed_invoice_contest(
            document=document, user=request.user, reason=form.cleaned_data["reason"]
        )
    except ContestNotAllowed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{document.number} is contested; staff will resolve it.")
    return redirect("invoicing:list")


@login_required
@require_http_methods(["GET", "POST"])
def billing_details(request):
    instance = BillingDetails.objects.filter(user=request.user).first() or BillingDetails(
        user=request.user
    )
    form = BillingDetailsForm(
        request.POST or None, instance=instance, show_vat_registered=request.user.is_coach
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your billing details are saved; new invoices will use them.")
        return redirect("invoicing:billing_details")
    status = 400 if form.errors else 200
    return render(request, "invoicing/billing_details.html", {"form": form}, status=status)


def self_billing_context(coach, form=None) -> dict:
    """Context of the partial `invoicing/_self_billing_agreement.html` (the payouts page
    includes it with this context)."""
    return {
        "self_billing_agreement": self_billing_agreement_of(coach),
        "self_billing_version": current_agreement_version(),
        "self_billing_form": form or SelfBillingAcceptForm(),
    }


@login_required
@require_GET
@coach_required(denied=Http404)
def self_billing(request, coach):
    return render(request, "invoicing/self_billing.html", self_billing_context(coach))


@login_required
@require_POST
@coach_required(denied=Http404)
def self_billing_accept(request, coach):
    form = SelfBillingAcceptForm(request.POST)
    if not form.is_valid():
        return render(
            request, "invoicing/self_billing.html", self_billing_context(coach, form), status=400
        )
    self_billing_agreement_accept(coach=coach, user=request.user)
    messages.success(request, "Thank you: the self-billing agreement is accepted.")
    return redirect(safe_next(request, reverse("invoicing:self_billing")))
