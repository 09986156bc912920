"""Who may see and book whom."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, Subquery

from accounts import blocks
from accounts.models import Coach, Connection
from bookings.errors import NotAllowed, NotFound
from bookings.models import Booking, SessionType

# --- who may see and book whom --------------------------------------------------------------


@dataclass(frozen=True)
class CalendarAccess:
    can_view: bool
    can_book: bool
    is_owner: bool = False
    connected: bool = False
    connection_status: str | None = None
    blocked: bool = False
    reason: str = ""


def is_blocked_between(user_a_id: int, user_b_id: int) -> bool:
    return blocks.is_blocked_between(user_a_id, user_b_id)


def calendar_access(viewer, coach: Coach) -> CalendarAccess:
    """Seed 002 canViewCalendar, plus blocks: a blocked pair sees nothing of each other."""
    if viewer.is_authenticated and viewer.pk == coach.user_id:
        return CalendarAccess(
            can_view=True, can_book=False, is_owner=True, reason="This is your own calendar."
        )
    status = None
    if viewer.is_authenticated:
        # the block and the connection in one query
        blocked, status = (
            Coach.objects.filter(pk=coach.pk)
            .annotate(
                blocked=Exists(blocks.blocks_between(viewer.pk, coach.user_id)),
                connection_status=Subquery(
                    Connection.objects.filter(client=viewer, coach=coach).values("status")[:1]
                ),
            )
            .values_list("blocked", "connection_status")
            .first()
        ) or (False, None)  # a coach removed meanwhile: nothing between them
        if blocked:
            return CalendarAccess(
                can_view=False,
                can_book=False,
                blocked=True,
                reason="This calendar is not available to you.",
            )
    connected = status == Connection.Status.ACCEPTED
    visibility = coach.calendar_visibility
    if visibility == Coach.CalendarVisibility.PUBLIC or (
        visibility == Coach.CalendarVisibility.CONNECTED and connected
    ):
        can_book = viewer.is_authenticated
        reason = "" if can_book else "Log in to book a session."
        return CalendarAccess(
            True, can_book, connected=connected, connection_status=status, reason=reason
        )
    reason = (
        "This coach shares their calendar with connected clients only."
        if visibility == Coach.CalendarVisibility.CONNECTED
        else "This coach's calendar is private."
    )
    return CalendarAccess(
        False, False, connected=connected, connection_status=status, reason=reason
    )


def coach_for_booking(coach_id) -> Coach:
    try:
        return Coach.objects.select_related("user").get(pk=coach_id, user__is_active=True)
    except (Coach.DoesNotExist, ValueError, TypeError):
        raise NotFound("This coach does not exist.") from None


def session_type_for(coach: Coach, session_type_id) -> SessionType:
    try:
        return SessionType.objects.get(
            pk=session_type_id, coach=coach, is_active=True, format=SessionType.Format.ONE_ON_ONE
        )
    except (SessionType.DoesNotExist, ValueError, TypeError):
        raise NotFound("This coach does not offer that session type.") from None


def active_session_types(coach: Coach) -> list[SessionType]:
    return list(
        SessionType.objects.filter(
            coach=coach, is_active=True, format=SessionType.Format.ONE_ON_ONE
        )
    )


def guest_session_types(coach: Coach) -> list[SessionType]:
    """The types a visitor without an account may book: guests allowed and free by their
    rules (a price factor of 0, or a coach without an hourly rate and no special-period
    rate). The booking itself re-checks the quote at the chosen time."""
    from bookings.models import SpecialPeriod

    types = [t for t in active_session_types(coach) if t.allow_guest_booking]
    if not types:
        return []
    rate_free = (
        coach.hourly_rate == 0
        and not SpecialPeriod.objects.filter(
            coach=coach, is_active=True, hourly_rate__gt=0
        ).exists()
    )
    return [t for t in types if rate_free or t.price_factor == 0]


def require_not_blocked(client, coach: Coach) -> None:
    if blocks.is_blocked_between(client, coach.user_id):
        raise NotAllowed(blocks.BLOCKED_MESSAGE, code="blocked")


def connected(client, coach) -> bool:
    return Connection.objects.filter(
        client=client, coach=coach, status=Connection.Status.ACCEPTED
    ).exists()


def visible_booking(*, booking_id: int, user) -> Booking | None:
    """The booking if `user` is its client or its coach, with what its pages show; else None
    (the view answers 404 for someone else's booking: no existence leak)."""
    booking = (
        Booking.objects.select_related("coach__user", "client", "session_type", "payment")
        .prefetch_related("suggested_times")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None or user.pk not in (booking.client_id, booking.coach.user_id):
        return None
    return booking
