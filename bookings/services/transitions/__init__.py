"""The booking state machine after creation (seed 002):

    requested      -> confirmed | declined | time_suggested      (coach: accept / decline / suggest)
    time_suggested -> confirmed | declined                        (client: pick a time / decline)
    confirmed      -> completed | cancelled_by_coach | cancelled_by_client
    (ours) payment_pending -> confirmed (FIRM paid) | requested (REQUEST authorized) | expired
    requested, time_suggested -> expired (nobody answered in time; the client is not charged)
    requested, time_suggested -> withdrawn                        (client takes the request back)

Pattern of every service here (STYLE.md): lock coach then booking, check, change, commit; then
call Stripe (capture, cancel, refund) through the payments core; then, if Stripe said no, lock
again and undo. Notifications go out on commit of the final state only.

One module per sub-domain: common (guards, Stripe steps), requests (the coach answers),
suggestions (the client answers or withdraws), cancellation (cancel, reschedule), sweeps
(time passes); every public name is re-exported here.
"""

from bookings.services.transitions.cancellation import (
    CancelPreview,
    booking_cancel,
    booking_reschedule,
    cancel_preview,
)
from bookings.services.transitions.common import (
    MAX_SUGGESTIONS,
    S,
    logger,
    settle_refund,
)
from bookings.services.transitions.requests import (
    booking_accept,
    booking_decline,
    booking_suggest,
)
from bookings.services.transitions.suggestions import (
    booking_decline_suggestion,
    booking_pick_suggestion,
    booking_withdraw,
)
from bookings.services.transitions.sweeps import (
    bookings_complete_past,
    bookings_expire,
    rereserve_for_late_payment,
)

__all__ = [
    "logger",
    "S",
    "MAX_SUGGESTIONS",
    "settle_refund",
    "booking_accept",
    "booking_decline",
    "booking_suggest",
    "booking_pick_suggestion",
    "booking_decline_suggestion",
    "booking_withdraw",
    "CancelPreview",
    "cancel_preview",
    "booking_cancel",
    "booking_reschedule",
    "bookings_complete_past",
    "bookings_expire",
    "rereserve_for_late_payment",
]
