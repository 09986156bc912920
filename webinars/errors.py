"""Domain errors of webinar booking, with the seed's messages and HTTP statuses (seed 000)."""

from core.errors import DomainError


class WebinarError(DomainError):
    status_code = 400
    code = ""
    default_message = "This webinar cannot be booked."


class WebinarNotFound(WebinarError):
    status_code = 404
    default_message = "Webinar not found."


class NotBookable(WebinarError):
    default_message = "This webinar is not open for booking."


class WebinarCancelled(NotBookable):
    default_message = "This webinar has been cancelled."


class OwnWebinar(WebinarError):
    default_message = "You can't book your own webinar."


class AccountSuspended(WebinarError):
    """The person is suspended or banned (accounts.suspension): no seat, no waitlist place."""

    status_code = 403
    code = "account_suspended"
    default_message = "Your account is suspended."


class BookingClosed(WebinarError):
    default_message = "Webinar booking has closed as the start time is in the past."


class AlreadyRegistered(WebinarError):
    status_code = 409
    default_message = "You are already registered for this webinar."


class WebinarFull(WebinarError):
    status_code = 403
    default_message = "This webinar is currently full."


class PriceNotSet(WebinarError):
    default_message = "Webinar price is not set up for paid booking. Please contact support."


class CoachPaymentsNotConfigured(WebinarError):
    """Seeds 000/001: the coach's payout account is not ready; refused before any hold."""

    code = "COACH_PAYMENTS_NOT_CONFIGURED"
    default_message = (
        "This coach cannot take paid bookings yet: their payout account is not set up. "
        "Nothing was reserved or charged. Please try again later."
    )


class PaymentUnavailable(WebinarError):
    status_code = 503
    default_message = (
        "We could not reach our payment provider, so no seat was held for you and nothing "
        "was charged. Please try again in a moment."
    )


class HoldNotFound(WebinarError):
    status_code = 404
    default_message = "You have no seat on hold for this webinar."


class HoldExpired(WebinarError):
    status_code = 409
    default_message = "Your seat hold expired before the payment was ready. Please book again."


class NotAllowedToCancel(WebinarError):
    status_code = 403
    default_message = "Only the webinar's coach or platform staff can cancel it."


class AlreadyCancelled(WebinarError):
    status_code = 409
    default_message = "This webinar is already cancelled."


class CannotCancel(WebinarError):
    default_message = "A completed webinar can't be cancelled."


class Busy(WebinarError):
    status_code = 409
    default_message = "This webinar is changing right now (a payment arrived). Please try again."


class LockBusy(Busy):
    """A seat change waited longer than LOCK_TIMEOUT_SECONDS for the webinar (core.locking)."""

    retry_after = 3
    default_message = "Many people are booking this webinar right now. Please try again."


class NotAnAttendee(WebinarError):
    status_code = 404
    default_message = "You have no seat for this webinar."


class SeatAlreadyCancelled(WebinarError):
    status_code = 409
    default_message = "Your seat for this webinar is already cancelled."


class SeatCancelClosed(WebinarError):
    default_message = "This webinar has already started; your seat can no longer be cancelled."


class NotFull(WebinarError):
    default_message = "This webinar has free seats: book one instead of joining the waitlist."


class NotOnWaitlist(WebinarError):
    status_code = 404
    default_message = "You are not on the waitlist for this webinar."


class OfferExpired(WebinarFull):
    status_code = 409
    default_message = (
        "Your waitlist offer ran out and the seat went to the next person in line. Nothing "
        "was charged. You can join the waitlist again."
    )


class WebinarInvalid(WebinarError):
    """An edit that would break an invariant. `errors` maps a field name (or "" for the
    whole webinar) to the messages; forms show them as field errors, nothing is saved."""

    default_message = "Please correct the errors below."

    def __init__(self, errors: dict[str, list[str]] | None = None, message: str | None = None):
        self.errors = {field: list(msgs) for field, msgs in (errors or {}).items() if msgs}
        first = next(iter(self.errors.values()), [None])[0]
        super().__init__(message or first)


class NotYourWebinar(WebinarError):
    status_code = 404  # another coach's webinar is not there for you
    default_message = "Webinar not found."


class SellerSuspended(WebinarInvalid):
    """The webinar's coach is suspended or banned: it cannot be published (403). A
    WebinarInvalid so that the editor shows the message like any other refusal."""

    status_code = 403
    code = "account_suspended"

    def __init__(self, message: str):
        super().__init__({"": [message]}, message)
