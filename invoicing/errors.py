from core.errors import DomainError


class InvoicingError(DomainError):
    def __init__(self, message: str, *, code: str = "invoicing_error"):
        super().__init__(message)
        self.message = message
        self.code = code


class SelfBillingAgreementMissing(InvoicingError):
    """No self-billed invoice (and so no payout) before the coach accepted the agreement.
    The payout run turns this into `PayoutBlocked(reason)`."""


class ContestNotAllowed(InvoicingError):
    pass
