from __future__ import annotations

from core.errors import DomainError


class ModerationError(DomainError):
    """A flag or a moderation action refused; `errors` maps a field to its messages (the
    400 answer of POST /flags/ lists them)."""

    status_code = 400
    code = "MODERATION_INVALID"
    default_message = "Please correct the errors below."

    def __init__(self, message: str = "", *, errors: dict[str, list[str]] | None = None):
        self.message = message or self.default_message
        self.errors = errors or {}
        super().__init__(self.message)


class FlagTooFast(ModerationError):
    status_code = 429
    code = "FLAG_RATE_LIMITED"
    default_message = "You sent many reports in a short time. Please wait a while and try again."
