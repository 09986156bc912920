from payments.errors import PaymentError


class RefundRefused(PaymentError):
    """The refund cannot be made as asked (above refundable, disputed, not paid, Goodwill
    above the platform fee); nothing changed. `code` says why."""

    status_code = 409
