from core.errors import DomainError


class AccountError(DomainError):
    """An account problem a person can act on; `message` is safe to show."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class EmailTaken(AccountError):
    def __init__(self):
        super().__init__("An account with this email address already exists.", field="email")


class AccountHasBookings(AccountError):
    """Deleting the account waits until these future bookings and seats are cancelled."""

    def __init__(self, blockers: list[str]):
        super().__init__(
            "Cancel your upcoming bookings first (their refunds follow the cancellation policy); "
            "then you can delete your account."
        )
        self.blockers = blockers
