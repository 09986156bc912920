from core.validators import add_single_line_validators


class SingleLineInputsMixin:
    """Refuse line breaks in every one-line text input of the form (names, titles, codes):
    they reach email headers, calendar files and CSV rows, where a CR/LF is an injection."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        add_single_line_validators(self.fields)
