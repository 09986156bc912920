class AccountError(Exception):
    """An account problem a person can act on; `message` is safe to show."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class EmailTaken(AccountError):
    def __init__(self):
        super().__init__("An account with this email address already exists.", field="email")
