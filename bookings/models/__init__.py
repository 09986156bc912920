"""1:1 sessions: what a coach offers, when they are free, what it costs, and the bookings.

Availability lives in its own table (not as flagged bookings like the predecessor): a booking
carves the time it uses out of the coach's slots and remembers the pieces in
`consumed_availability`, so that a decline or cancellation can put exactly that time back and
merge it with its neighbours. All datetimes are UTC; wall-clock rules (weekly availability,
evening rates, special periods) are evaluated in the coach's time zone.

One module per sub-domain: offers (session types), availability, pricing (rates, special
periods, discount codes), booking (bookings and suggested times); every model is re-exported
here, so the app label, migrations and `bookings.models.X` paths are unchanged.
"""

from bookings.models.availability import (
    AvailabilitySeries,
    AvailabilitySlot,
)
from bookings.models.booking import (
    Booking,
    SuggestedTime,
)
from bookings.models.offers import (
    GENERIC_TITLES,
    GRID_MINUTES,
    WEEKDAY_CHOICES,
    SessionType,
    validate_weekdays,
)
from bookings.models.pricing import (
    DiscountCode,
    SpecialPeriod,
    TimeBasedRate,
)

__all__ = [
    "WEEKDAY_CHOICES",
    "GRID_MINUTES",
    "GENERIC_TITLES",
    "validate_weekdays",
    "SessionType",
    "AvailabilitySeries",
    "AvailabilitySlot",
    "TimeBasedRate",
    "SpecialPeriod",
    "DiscountCode",
    "Booking",
    "SuggestedTime",
]
