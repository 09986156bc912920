"""Domain errors of reviews: `message` is for the person reading it; `status_code` and `code`
become the HTTP answer (JSON `{"message", "code"}`, or a message on the profile page)."""

from core.errors import DomainError


class ReviewError(DomainError):
    status_code = 400
    code = "invalid"


class NotFound(ReviewError):
    status_code = 404
    code = "not_found"


class NotAllowed(ReviewError):
    """Did not attend, not yours, blocked, too late."""

    status_code = 403
    code = "forbidden"


class AlreadyDone(ReviewError):
    """Already reviewed / already replied."""

    status_code = 409
    code = "conflict"
