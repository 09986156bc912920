"""The base of every app's domain error (the lower layer: no domain imports).

A DomainError carries what the HTTP edge needs: `status_code`, a machine `code` and a `message`
safe to show a person (`default_message` when none is given), and optionally the form `field`
it concerns. Each app's base error derives from it (adding a constructor only for extra data);
core.http.json_error renders one as JSON."""

from __future__ import annotations


class DomainError(Exception):
    status_code: int = 400
    code: str = ""
    default_message: str = ""

    def __init__(
        self, message: str | None = None, *, code: str | None = None, field: str | None = None
    ):
        self.message = message or self.default_message
        if code is not None:
            self.code = code
        self.field = field
        super().__init__(self.message)
