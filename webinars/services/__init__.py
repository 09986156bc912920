"""Writes of the webinars app, split by sub-domain: seats (holds, confirmation, release,
expiry), editing (every change a coach or the admin makes) and cancellation of a whole
webinar. Import from here: `from webinars.services import
webinar_register, webinar_cancel`."""

from webinars.services.cancellation import CancelResult, webinar_cancel
from webinars.services.completion import webinars_complete
from webinars.services.editing import (
    Edit,
    NewMaterial,
    SlotChange,
    webinar_create,
    webinar_material_add,
    webinar_material_remove,
    webinar_material_update,
    webinar_publish,
    webinar_slot_add,
    webinar_slot_remove,
    webinar_slot_reschedule,
    webinar_unpublish,
    webinar_update,
)
from webinars.services.seat_cancel import (
    SeatCancelPreview,
    seat_cancel,
    seat_cancel_preview,
    seat_refund_settle,
)
from webinars.services.seats import (
    RegisterResult,
    after_confirm,
    expire_stale_holds,
    holds_expire,
    live_seat_count,
    minimum_attendees_sync,
    registration_release,
    webinar_register,
    webinar_starts_at,
)
from webinars.services.waitlist import (
    seats_offer,
    waitlist_join,
    waitlist_leave,
    webinar_seats_offer,
)

__all__ = [
    "CancelResult",
    "SeatCancelPreview",
    "seat_cancel",
    "seat_cancel_preview",
    "seat_refund_settle",
    "seats_offer",
    "waitlist_join",
    "waitlist_leave",
    "webinar_seats_offer",
    "Edit",
    "NewMaterial",
    "SlotChange",
    "webinar_create",
    "webinar_material_add",
    "webinar_material_remove",
    "webinar_material_update",
    "webinar_publish",
    "webinar_slot_add",
    "webinar_slot_remove",
    "webinar_slot_reschedule",
    "webinar_unpublish",
    "webinar_update",
    "RegisterResult",
    "after_confirm",
    "expire_stale_holds",
    "holds_expire",
    "live_seat_count",
    "minimum_attendees_sync",
    "registration_release",
    "webinar_cancel",
    "webinar_register",
    "webinar_starts_at",
    "webinars_complete",
]
