"""Validators shared by every app's forms and admin."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

# CR, LF and the other characters Python's str.splitlines() treats as line ends (a header
# value with any of them is refused by Django's mail, or splits a CSV row or a calendar line).
LINE_BREAKS = re.compile(r"[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def validate_single_line(value) -> None:
    """A title, name or code is one line: it ends up in email subjects and .ics lines."""
    if isinstance(value, str) and LINE_BREAKS.search(value):
        raise ValidationError("This must be a single line (no line breaks).", code="line_break")


def is_single_line_input(formfield) -> bool:
    """A text field rendered as a one-line input (not a textarea, not a choice)."""
    from django import forms

    return (
        type(formfield) is forms.CharField or isinstance(formfield, forms.SlugField)
    ) and not isinstance(
        formfield.widget, forms.Textarea | forms.Select | forms.HiddenInput | forms.PasswordInput
    )


def add_single_line_validators(fields) -> None:
    """Give every one-line text input of a form's `fields` the single-line check."""
    for formfield in fields.values():
        if is_single_line_input(formfield) and validate_single_line not in formfield.validators:
            formfield.validators.append(validate_single_line)
