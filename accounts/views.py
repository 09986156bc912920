from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.errors import AccountError
from accounts.forms import CoachProfileForm, EmailAuthenticationForm, ProfileForm, SignupForm
from accounts.services import user_signup


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("core:home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = user_signup(
                email=data["email"],
                password=data["password1"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                timezone=data["timezone"],
                is_coach=data["is_coach"],
            )
        except AccountError as exc:
            form.add_error(exc.field, exc.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome, {user.display_name}! Your account is ready.")
            return redirect("core:home")
    return render(
        request, "accounts/signup.html", {"form": form}, status=400 if form.errors else 200
    )


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400  # a validation failure is a 4xx, like signup
        return response


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    coach = getattr(request.user, "coach_profile", None)
    form = ProfileForm(request.POST or None, instance=request.user, prefix="user")
    coach_form = (
        CoachProfileForm(
            request.POST or None, request.FILES or None, instance=coach, prefix="coach"
        )
        if coach
        else None
    )
    if request.method == "POST":
        forms_valid = form.is_valid() and (coach_form is None or coach_form.is_valid())
        if forms_valid:
            with transaction.atomic():
                form.save()
                if coach_form is not None:
                    coach_form.save()
            messages.success(request, "Your profile has been saved.")
            return redirect("accounts:profile")
    status = 400 if form.errors or (coach_form and coach_form.errors) else 200
    return render(
        request, "accounts/profile.html", {"form": form, "coach_form": coach_form}, status=status
    )
