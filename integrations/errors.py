"""Domain errors of the integrations app (messages are for the coach who reads them)."""

from __future__ import annotations

from core.errors import DomainError


class IntegrationError(DomainError):
    status_code = 400
    code = "invalid"


class CalendlyError(IntegrationError):
    """Calendly refused a call or could not be reached. `http_status` is Calendly's answer
    (0: no answer), `title`/`details` its error body, `retry_after` seconds on a 429."""

    status_code = 502
    code = "calendly_error"

    def __init__(
        self,
        message: str,
        *,
        http_status: int = 0,
        title: str = "",
        details: list | None = None,
        retry_after: int | None = None,
        code: str | None = None,
    ):
        super().__init__(message, code=code)
        self.http_status = http_status
        self.title = title
        self.details = details or []
        self.retry_after = retry_after


class InvalidWebhook(IntegrationError):
    """A delivery we cannot trust or read: answered 4xx, nothing written."""

    code = "invalid_webhook"
