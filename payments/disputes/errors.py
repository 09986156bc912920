from payments.errors import PaymentError


class DisputeActionRefused(PaymentError):
    """A staff action that does not fit the dispute's state (submitted twice, closed...)."""

    status_code = 409

    def __init__(self, message: str):
        super().__init__(message, code="dispute_action_refused")
