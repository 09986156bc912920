from django import forms

from notifications.selectors import preferences_for


class PreferencesForm(forms.Form):
    """Two checkboxes per category; payment emails are shown ticked and cannot be unticked."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = preferences_for(user=user)
        for row in self.rows:
            category = row["category"]
            self.fields[f"{category}_in_app"] = forms.BooleanField(
                required=False, initial=row["in_app"], label=f"{row['label']}: in the app"
            )
            self.fields[f"{category}_email"] = forms.BooleanField(
                required=False,
                initial=row["email"],
                disabled=row["email_locked"],
                label=f"{row['label']}: by email",
                help_text="Always sent: a record of money moving." if row["email_locked"] else "",
            )
        for row in self.rows:
            row["in_app_field"] = self[f"{row['category']}_in_app"]
            row["email_field"] = self[f"{row['category']}_email"]

    def choices(self) -> dict[str, dict[str, bool]]:
        return {
            row["category"]: {
                "in_app": self.cleaned_data[f"{row['category']}_in_app"],
                "email": self.cleaned_data[f"{row['category']}_email"],
            }
            for row in self.rows
        }
