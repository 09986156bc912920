from django import forms

from webinars.models import Webinar


class CancelWebinarForm(forms.Form):
    reason = forms.CharField(
        label="Reason (sent to the attendees)",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: “I am ill and cannot run the session.”",
    )


# --- the webinar editor (site and admin share the checks of webinars.services.editing) ----

LOCAL_DATETIME = {"type": "datetime-local"}
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def _local_datetime_field(label: str, *, required: bool) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(attrs=LOCAL_DATETIME, format=LOCAL_FORMAT),
    )


def add_service_errors(exc, *forms_by_field: tuple[forms.BaseForm, tuple[str, ...]]) -> None:
    """Put a WebinarInvalid's messages on the form that owns each field; the rest on the
    first form as non-field errors."""
    first = forms_by_field[0][0]
    for name, messages in exc.errors.items():
        target = next((f for f, names in forms_by_field if name in names), None)
        for message in messages:
            if target is None:
                first.add_error(None, message)
            else:
                target.add_error(name, message)


class HttpsURLField(forms.URLField):
    """A URL field that reads a URL typed without a scheme as https:// (Django 6's default)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(assume_scheme="https", **kwargs)


class WebinarEditorForm(forms.ModelForm):
    """The webinar's own fields on the coach's editor. Times are in the coach's zone (the
    user's timezone is active, accounts.middleware)."""

    early_bird_deadline = _local_datetime_field("Early-bird price until", required=False)

    class Meta:
        model = Webinar
        fields = (
            "title",
            "description",
            "price",
            "early_bird_price",
            "early_bird_deadline",
            "max_attendees",
            "min_attendees",
            "join_link",
            "full_refund_hours",
            "partial_refund_hours",
            "partial_refund_percent",
        )
        labels = {
            "full_refund_hours": "Full refund if cancelled more than (hours before)",
            "partial_refund_hours": "Partial refund if cancelled more than (hours before)",
            "partial_refund_percent": "Partial refund (%)",
            "price": "Price (VAT included)",
            "early_bird_price": "Early-bird price",
            "max_attendees": "Capacity (seats)",
            "min_attendees": "Minimum attendees",
            "join_link": "Video-call link",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}
        field_classes = {"join_link": HttpsURLField}

    def __init__(self, *args, live_seats: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.live_seats = live_seats
        self.fields[
            "price"
        ].help_text = "0 for a free webinar. Seats already held or sold keep their price."
        self.fields["max_attendees"].help_text = (
            f"{live_seats} seat(s) held or sold now: the capacity cannot be lower."
            if live_seats
            else "How many people can book."
        )

    def clean(self):
        from webinars.services.editing import field_errors

        cleaned = super().clean()
        if self.errors:
            return cleaned
        errors = field_errors(
            values=cleaned,
            live_seats=self.live_seats,
            any_seats=False,
            starts_at=None,
        )
        for name, messages in errors.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
        return cleaned


class SlotForm(forms.Form):
    slot_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    start = _local_datetime_field("Starts", required=False)
    end = _local_datetime_field("Ends", required=False)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if (start is None) != (end is None):
            raise forms.ValidationError("Give the slot a start and an end.")
        if start and end and end <= start:
            self.add_error("end", "A slot must end after it starts.")
        return cleaned


SlotFormSet = forms.formset_factory(SlotForm, extra=1, can_delete=True, max_num=20)


class MaterialUploadForm(forms.Form):
    material_title = forms.CharField(label="Material title", max_length=200, required=False)
    material_file = forms.FileField(label="File", required=False)
    material_url = forms.URLField(label="…or a link", required=False, assume_scheme="https")

    def clean(self):
        from webinars.services.editing import NewMaterial, material_errors

        cleaned = super().clean()
        if self.errors or not any(cleaned.get(k) for k in self.fields):
            return cleaned
        errors = material_errors(
            NewMaterial(
                title=cleaned.get("material_title") or "",
                file=cleaned.get("material_file"),
                url=cleaned.get("material_url") or "",
            )
        )
        for name, messages in errors.items():
            for message in messages:
                self.add_error(name, message)
        return cleaned

    def new_material(self):
        from webinars.services.editing import NewMaterial

        cleaned = self.cleaned_data
        if not any(cleaned.get(k) for k in self.fields):
            return None
        return NewMaterial(
            title=cleaned["material_title"],
            file=cleaned.get("material_file"),
            url=cleaned.get("material_url") or "",
        )
