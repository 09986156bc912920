"""The base of every app's domain error (the lower layer: no domain imports).

A DomainError carries what the HTTP edge needs: `status_code`, a machine `code` and a `message`
safe to show a person (`default_message` when none is given). Each app's base error derives
from it and keeps its own constructor; core.http.json_error renders one as JSON."""

from __future__ import annotations


class DomainError(Exception):
    status_code: int = 400
    code: str = ""
    default_message: str = ""
