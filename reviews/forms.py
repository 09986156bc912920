"""The review form as people see it (rating as five radio buttons in a fieldset, the attended
item as a select). The rules live in reviews.services; this form renders and reports field
errors in the page's standard markup (templates/includes/form_field.html)."""

from __future__ import annotations

from django import forms

from reviews.models import TEXT_MAX_LENGTH

RATING_CHOICES = [
    (5, "5 stars: excellent"),
    (4, "4 stars: good"),
    (3, "3 stars: okay"),
    (2, "2 stars: poor"),
    (1, "1 star: bad"),
]


class ReviewForm(forms.Form):
    target = forms.CharField(
        label="What you attended",
        required=False,
        widget=forms.Select(),
        help_text="Sessions and webinars that ended in the last 30 days.",
    )
    rating = forms.TypedChoiceField(
        label="Your rating",
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a rating from 1 to 5 stars."},
    )
    text = forms.CharField(
        label="Your review",
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Optional, up to 2,000 characters. Shown on the coach's profile with your name.",
    )

    def __init__(self, *args, reviewables=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(item.value, item.label) for item in reviewables]
        # The empty first option is what a required select must start with (HTML); with one
        # item to review it is chosen already.
        self.fields["target"].widget.choices = [("", "Choose a session or webinar"), *choices]
        if len(choices) == 1 and not self.is_bound:
            self.initial.setdefault("target", choices[0][0])
        self.fields["target"].required = True
        self.fields["target"].error_messages["required"] = (
            "Choose the session or webinar you attended."
        )


def parse_target(value: str) -> tuple[str | None, str | None]:
    """ "booking:12" / "registration:7" from the select → (booking, registration) ids."""
    kind, _, pk = (value or "").partition(":")
    if kind == "booking":
        return pk, None
    if kind == "registration":
        return None, pk
    return None, None
