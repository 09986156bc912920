"""Reads of the webinars app. Query counts stay constant as attendees grow: counts and start
times are subqueries, related rows come with select_related / prefetch_related.

One module per sub-domain: counts, booking (the booking panel's state), waitlist, detail
(who may see a webinar and its content), lists, mine (a person's webinars), coach (editor,
cancellation preview, busy time); every public name is re-exported here.
"""

from webinars.selectors.booking import (
    FULL,
    BookingState,
    booking_state,
)
from webinars.selectors.coach import (
    BUSY_SOURCE,
    CancellationPreview,
    cancellation_preview,
    webinar_busy_time,
    webinar_for_editor,
)
from webinars.selectors.counts import (
    REFUNDABLE_PAYMENT_STATUSES,
    Status,
    with_counts,
)
from webinars.selectors.detail import (
    can_access_content,
    material_of,
    visible_webinar,
    webinar_detail_context,
    webinar_live_context,
)
from webinars.selectors.lists import (
    ATTENDEES_PAGE_SIZE,
    COACH_PAGE_SIZE,
    LIST_PAGE_SIZE,
    PAST_PAGE_SIZE,
    ListItem,
    coach_webinars,
    upcoming_webinars,
    upcoming_webinars_page,
    webinar_attendees,
)
from webinars.selectors.mine import (
    MyWebinar,
    my_past_webinars,
    my_past_webinars_page,
    my_upcoming_webinars,
    my_webinar_items,
)
from webinars.selectors.waitlist import (
    MyWaitlistPlace,
    my_waitlists,
    waitlist_count,
    waitlist_place,
    webinar_waitlist,
)

__all__ = [
    "Status",
    "REFUNDABLE_PAYMENT_STATUSES",
    "with_counts",
    "BookingState",
    "FULL",
    "booking_state",
    "waitlist_place",
    "webinar_waitlist",
    "waitlist_count",
    "MyWaitlistPlace",
    "my_waitlists",
    "visible_webinar",
    "webinar_detail_context",
    "webinar_live_context",
    "can_access_content",
    "material_of",
    "ListItem",
    "LIST_PAGE_SIZE",
    "COACH_PAGE_SIZE",
    "ATTENDEES_PAGE_SIZE",
    "PAST_PAGE_SIZE",
    "upcoming_webinars",
    "upcoming_webinars_page",
    "coach_webinars",
    "webinar_attendees",
    "MyWebinar",
    "my_upcoming_webinars",
    "my_past_webinars",
    "my_past_webinars_page",
    "my_webinar_items",
    "CancellationPreview",
    "cancellation_preview",
    "BUSY_SOURCE",
    "webinar_busy_time",
    "webinar_for_editor",
]
