"""Account recovery and settings: password reset and change (Django's auth views in our
templates), email verification and change, account deletion. Writes go through
accounts.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.errors import AccountError, AccountHasBookings
from accounts.forms import (
    AccountDeleteForm,
    EmailChangeForm,
    PasswordResetRequestForm,
    VisitorTimezoneForm,
)
from accounts.middleware import TIMEZONE_COOKIE
from accounts.services import (
    VerifyOutcome,
    account_delete,
    email_verification_send,
    user_email_change_request,
    user_email_verify,
    user_password_changed,
)
from core.http import safe_next

RESEND_INTERVAL_SECONDS = 60


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = PasswordResetRequestForm
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        user_password_changed(user=form.user, via_reset=True)
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:settings")

    def form_valid(self, form):
        response = super().form_valid(form)  # keeps this session logged in
        user_password_changed(user=form.user, via_reset=False)
        messages.success(self.request, "Your password has been changed.")
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


def _settings_page(request, *, email_form=None, delete_form=None, blockers=None, status=200):
    return render(
        request,
        "accounts/settings.html",
        {
            "email_form": email_form or EmailChangeForm(user=request.user, prefix="email"),
            "delete_form": delete_form or AccountDeleteForm(user=request.user, prefix="delete"),
            "blockers": blockers or [],
        },
        status=status,
    )


@login_required
@require_GET
def account_settings(request):
    return _settings_page(request)


@login_required
@require_POST
def email_change(request):
    form = EmailChangeForm(request.POST, user=request.user, prefix="email")
    if form.is_valid():
        try:
            user_email_change_request(user=request.user, new_email=form.cleaned_data["email"])
        except AccountError as exc:
            form.add_error("email", exc.message)
        else:
            messages.success(
                request,
                f"We sent a confirmation link to {request.user.pending_email}. Your email "
                "address changes once you follow it.",
            )
            return redirect("accounts:settings")
    return _settings_page(request, email_form=form, status=400)


@login_required
@require_POST
def delete_account(request):
    form = AccountDeleteForm(request.POST, user=request.user, prefix="delete")
    if form.is_valid():
        try:
            account_delete(user=request.user)
        except AccountHasBookings as exc:
            form.add_error(None, exc.message)
            return _settings_page(request, delete_form=form, blockers=exc.blockers, status=409)
        logout(request)
        messages.success(request, "Your account has been deleted. Goodbye!")
        return redirect("core:home")
    return _settings_page(request, delete_form=form, status=400)


_VERIFY_MESSAGES = {
    VerifyOutcome.VERIFIED: ("success", "Thank you: your email address is confirmed."),
    VerifyOutcome.CHANGED: ("success", "Your new email address is confirmed and now in use."),
    VerifyOutcome.ALREADY: ("info", "This email address was already confirmed."),
    VerifyOutcome.TAKEN: (
        "error",
        "Another account uses this email address now, so we could not move yours to it.",
    ),
    VerifyOutcome.INVALID: (
        "error",
        "This confirmation link is invalid or has expired. Log in and ask for a new one.",
    ),
}


@require_GET
def verify_email(request, token: str):
    outcome, user = user_email_verify(token=token)
    if user is not None and request.user.is_authenticated and request.user.pk == user.pk:
        request.user = user  # this page already shows the confirmed address (no banner)
    level, text = _VERIFY_MESSAGES[outcome]
    status = 200 if level != "error" else 400
    return render(
        request, "accounts/verify_email.html", {"level": level, "text": text}, status=status
    )


@login_required
@require_POST
def verify_email_resend(request):
    user = request.user
    if user.email_verified and not user.pending_email:
        messages.info(request, "Your email address is already confirmed.")
    elif not cache.add(f"accounts:verify-resend:{user.pk}", 1, RESEND_INTERVAL_SECONDS):
        messages.info(request, "We just sent you a link; please wait a minute before asking again.")
    else:
        email_verification_send(user=user, email=user.pending_email or None)
        messages.success(
            request, f"We sent a new confirmation link to {user.pending_email or user.email}."
        )
    return redirect(safe_next(request, default=reverse("accounts:settings")))


@require_http_methods(["GET", "POST"])
def visitor_timezone(request):
    """Logged out: pick the zone times are shown in (kept in a cookie). Logged in, the zone
    is the profile's."""
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    current = timezone.get_current_timezone_name()
    form = VisitorTimezoneForm(request.POST or None, initial={"timezone": current})
    if request.method == "POST" and form.is_valid():
        response = redirect(safe_next(request, default=reverse("core:home")))
        response.set_cookie(
            TIMEZONE_COOKIE,
            form.cleaned_data["timezone"],
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=request.is_secure(),
        )
        return response
    nxt = request.GET.get("next", "")
    return render(
        request,
        "accounts/timezone.html",
        {"form": form, "next": nxt if nxt.startswith("/") and not nxt.startswith("//") else ""},
        status=400 if form.errors else 200,
    )
