from core.errors import DomainError


class PaymentError(DomainError):
    """A payment problem a person can act on; `message` is safe to show."""

    status_code = 400

    def __init__(self, message: str, *, code: str = "payment_error", decline_code: str = ""):
        super().__init__(message)
        self.message = message
        self.code = code
        self.decline_code = decline_code


class CardDeclined(PaymentError):
    status_code = 402


class GatewayUnavailable(PaymentError):
    """Stripe could not be reached or answered with a server error."""

    status_code = 503


class PaymentNotFound(PaymentError):
    status_code = 404


class PaymentNotPayable(PaymentError):
    """The payment was cancelled, already paid or otherwise cannot take money any more."""

    status_code = 409


class InvalidWebhook(Exception):
    """Missing or wrong Stripe-Signature, or a payload that is not a Stripe event."""


class PaymentBusy(PaymentError):
    """The payment row stayed locked longer than LOCK_TIMEOUT_SECONDS (core.locking)."""

    status_code = 409
    retry_after = 3

    def __init__(self, message: str = "This payment is being updated. Please try again."):
        super().__init__(message, code="busy")
