from django import forms


class CancelWebinarForm(forms.Form):
    reason = forms.CharField(
        label="Reason (sent to the attendees)",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: “I am ill and cannot run the session.”",
    )
