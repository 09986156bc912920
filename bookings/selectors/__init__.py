"""Reads for 1:1 sessions: who may see and book whom, prices, free start times, calendars.

Query counts stay constant as data grows: each function loads the rows of its window in a
fixed number of queries and works on them in memory. Split by sub-domain: access, rules,
quotes, schedule, panel (the booking modal), people; every name is re-exported here.
"""

from bookings.selectors.access import (
    CalendarAccess,
    active_session_types,
    calendar_access,
    coach_for_booking,
    connected,
    guest_session_types,
    is_blocked_between,
    require_not_blocked,
    session_type_for,
    visible_booking,
)
from bookings.selectors.panel import booking_panel_context
from bookings.selectors.people import (
    OPEN_REQUEST_STATUSES,
    Dashboard,
    booking_for_status_panel,
    coach_dashboard,
    my_past_sessions,
    my_past_sessions_page,
    my_upcoming_sessions,
    open_request_count,
    requests_inbox,
    session_bookings_for_client,
    status_panel_context,
)
from bookings.selectors.quotes import (
    discount_code_lookup,
    pricing_rules,
    quote_session,
)
from bookings.selectors.rules import (
    booking_type_for,
    validate_time_rules,
)
from bookings.selectors.schedule import (
    BUSY_SOURCE,
    CalendarDay,
    CalendarEntry,
    DaySchedule,
    bookable_starts,
    calendar_week,
    limit_problem,
    load_schedule,
    next_free_time,
    session_busy_time,
)

__all__ = [
    "booking_panel_context",
    "booking_type_for",
    "connected",
    "visible_booking",
    "CalendarAccess",
    "is_blocked_between",
    "calendar_access",
    "coach_for_booking",
    "session_type_for",
    "active_session_types",
    "guest_session_types",
    "require_not_blocked",
    "validate_time_rules",
    "pricing_rules",
    "discount_code_lookup",
    "quote_session",
    "DaySchedule",
    "load_schedule",
    "BUSY_SOURCE",
    "session_busy_time",
    "limit_problem",
    "bookable_starts",
    "CalendarEntry",
    "CalendarDay",
    "calendar_week",
    "next_free_time",
    "session_bookings_for_client",
    "my_upcoming_sessions",
    "my_past_sessions",
    "my_past_sessions_page",
    "booking_for_status_panel",
    "status_panel_context",
    "OPEN_REQUEST_STATUSES",
    "open_request_count",
    "requests_inbox",
    "Dashboard",
    "coach_dashboard",
]
