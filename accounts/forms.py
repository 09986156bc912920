import zoneinfo

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.urls import reverse

from accounts.models import LANGUAGE_CHOICES, Coach, User
from core.forms import SingleLineInputsMixin


def timezone_choices():
    zones = sorted(
        z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith("Etc/")
    )
    return [("UTC", "UTC"), *[(z, z.replace("_", " ")) for z in zones]]


# WCAG 1.3.5 (identify input purpose): browsers and password managers fill these in.
NAME_WIDGETS = {
    "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
    "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
}


class TimezoneSelect(forms.Select):
    def __init__(self, attrs=None):
        super().__init__({"data-detect-timezone": "true", **(attrs or {})})


class SignupForm(SingleLineInputsMixin, UserCreationForm):
    timezone = forms.ChoiceField(choices=timezone_choices, widget=TimezoneSelect)
    is_coach = forms.BooleanField(
        required=False,
        label="I want to offer coaching on the platform",
        help_text="You get a coach profile and access to the coach admin.",
    )

    class Meta:
        model = User
        fields = ("email", "first_name", "last_name", "timezone")
        field_classes: dict = {}
        widgets = NAME_WIDGETS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True
        self.fields["email"].widget.attrs.update(autocomplete="email", autofocus=True)

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this email address already exists.")
        return email


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )


class ProfileForm(SingleLineInputsMixin, forms.ModelForm):
    timezone = forms.ChoiceField(
        choices=timezone_choices, help_text="Every date and time on the site is shown in this zone."
    )

    class Meta:
        model = User
        fields = ("first_name", "last_name", "timezone")
        widgets = NAME_WIDGETS


class CoachProfileForm(SingleLineInputsMixin, forms.ModelForm):
    languages = forms.MultipleChoiceField(
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Shown on your profile; clients filter search by it.",
    )

    photo_upload = forms.FileField(
        label="Photo",
        required=False,
        help_text="JPEG, PNG or WebP, up to 5 MB; cropped square on your profile.",
    )
    remove_photo = forms.BooleanField(label="Remove my photo", required=False)

    class Meta:
        model = Coach
        # A name list, or "__all__" in CoachAdminForm (which keeps the widgets and labels).
        fields: tuple[str, ...] | str = (
            "headline",
            "bio",
            "languages",
            "hourly_rate",
            "currency",
            "calendar_visibility",
            "is_listed",
        )
        widgets = {"bio": forms.Textarea(attrs={"rows": 5})}
        labels = {"is_listed": "Listed (public profile, directory and search)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance and self.instance.pk and not self.is_bound:
            self.initial["languages"] = self.instance.language_codes
        self.processed_photo = None
        if not (self.instance and self.instance.photo):
            # Nothing to remove (kept as a field: the admin lists the form's fields up front).
            self.fields["remove_photo"].widget = forms.HiddenInput()

    def clean_photo_upload(self):
        from accounts.photos import coach_photo_process

        upload = self.cleaned_data.get("photo_upload")
        if upload:
            self.processed_photo = coach_photo_process(upload)
        return upload

    def save(self, commit=True):
        coach = super().save(commit=False)
        old_name = coach.photo.name if coach.photo else ""
        if self.processed_photo is not None:
            coach.photo.save(self.processed_photo.name, self.processed_photo, save=False)
        elif self.cleaned_data.get("remove_photo"):
            coach.photo = ""
        if commit:
            coach.save()
            self.save_m2m()
            if old_name and old_name != (coach.photo.name or ""):
                from core.oncommit import run_on_commit

                run_on_commit(coach.photo.storage.delete, old_name, log_as="Old photo delete")
        return coach

    def clean_languages(self):
        return ",".join(sorted(set(self.cleaned_data["languages"])))

    def clean_hourly_rate(self):
        rate = self.cleaned_data["hourly_rate"]
        if rate is not None and rate < 0:
            raise forms.ValidationError("The hourly rate cannot be negative.")
        return rate


class CoachAdminForm(CoachProfileForm):
    """The Coach admin: every field, with the profile form's checks (a negative hourly rate
    would make every quote for the coach fail)."""

    class Meta(CoachProfileForm.Meta):
        fields = "__all__"  # noqa: DJ007 - the admin narrows them (fieldsets, readonly)
        exclude = ("photo",)  # noqa: DJ006 - uploaded through photo_upload (re-encoded)


class PasswordResetRequestForm(auth_forms.PasswordResetForm):
    """Django's reset form; the email goes through the notification outbox. Unknown or
    inactive addresses get no email and the same answer (the view redirects either way)."""

    email = forms.EmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        from accounts.services import password_reset_send

        link = reverse("accounts:password_reset_confirm", args=[context["uid"], context["token"]])
        password_reset_send(user=context["user"], link=link)


class CurrentPasswordForm(forms.Form):
    """A form that asks for the signed-in user's current password before it acts."""

    password_label = "Current password"
    password = forms.CharField(
        strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["password"].label = self.password_label

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your current password.")
        return password


class EmailChangeForm(SingleLineInputsMixin, CurrentPasswordForm):
    field_order = ["email", "password"]
    email = forms.EmailField(
        label="New email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="We send a link to the new address; it replaces the old one once you follow it.",
    )


class AccountDeleteForm(CurrentPasswordForm):
    password_label = "Your password, to confirm"


class VisitorTimezoneForm(forms.Form):
    timezone = forms.ChoiceField(
        label="Time zone", choices=timezone_choices, help_text="Times on the site are shown in it."
    )
