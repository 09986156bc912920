"""Domain errors of 1:1 bookings. `message` is written for the person who will read it; views
turn `status_code` and `code` into the HTTP answer (JSON `{"message", "code"}` or HTML)."""

from core.errors import DomainError


class BookingError(DomainError):
    status_code = 400
    code = "invalid"


class NotFound(BookingError):
    status_code = 404
    code = "not_found"


class NotAllowed(BookingError):
    """The person may not do this (blocked, not connected, someone else's booking)."""

    status_code = 403
    code = "forbidden"


class AccountSuspended(NotAllowed):
    """The client (booking, request) or the coach (accepting) is suspended or banned
    (accounts.suspension): refused before anything is reserved or charged."""

    code = "account_suspended"


class InvalidTime(BookingError):
    code = "invalid_time"


class SlotUnavailable(BookingError):
    """The time is taken, or taken concurrently (lock or exclusion constraint)."""

    status_code = 409
    code = "slot_unavailable"


class LimitReached(BookingError):
    code = "limit_reached"


class TooManyUnpaidBookings(BookingError):
    code = "TOO_MANY_UNPAID_BOOKINGS"


class InvalidDiscountCode(BookingError):
    code = "invalid_discount_code"


class InvalidTransition(BookingError):
    """The booking is not in a state that allows this (double accept, cancelling twice)."""

    status_code = 409
    code = "invalid_transition"


class PriceChanged(BookingError):
    code = "price_changed"


class PaymentProblem(BookingError):
    """The payment provider refused (402) or could not be reached (503); nothing was kept."""

    status_code = 402
    code = "payment_failed"

    @classmethod
    def from_payment_error(cls, exc: Exception, fallback: str) -> "PaymentProblem":
        problem = cls(getattr(exc, "message", "") or fallback, code=getattr(exc, "code", None))
        if getattr(exc, "status_code", None) == 503:
            problem.status_code = 503
        return problem


class Busy(BookingError):
    """A write waited longer than LOCK_TIMEOUT_SECONDS for its rows (core.locking): nothing
    was changed; try again in `retry_after` seconds."""

    status_code = 409
    code = "busy"
    retry_after = 3

    def __init__(self, message: str = "This calendar is busy right now. Please try again."):
        super().__init__(message)


class TooManyAttempts(BookingError):
    """Too many wrong guesses (discount codes) from this client or address: wait a while."""

    status_code = 429
    code = "too_many_attempts"


class CoachPaymentsNotConfigured(BookingError):
    """Seeds 000/001: the coach's payout account is not ready; refused before any hold."""

    code = "COACH_PAYMENTS_NOT_CONFIGURED"

    def __init__(self, message: str = "", **kwargs):
        super().__init__(
            message
            or "This coach cannot take paid bookings yet: their payout account is not set up. "
            "Nothing was reserved or charged. Please try again later.",
            **kwargs,
        )


class GuestBookingRefused(BookingError):
    """A booking without an account that we do not take: a paid session, guest booking
    switched off, an address we may not use (suppressed, blocked). Nothing was reserved."""

    code = "guest_booking_refused"
