"""1:1 session reminders (24 h and 1 h before) through the notifications app's scheduler."""

from __future__ import annotations

from notifications.reminders import DueReminder, register_provider


class SessionReminders:
    """Each confirmed session reminds its client and its coach."""

    kind = "session"

    def upcoming(self, *, start_after, start_until):
        from bookings.models import Booking

        bookings = Booking.objects.filter(
            status=Booking.Status.CONFIRMED, start__gt=start_after, start__lte=start_until
        ).select_related("client", "coach__user", "session_type")
        for booking in bookings:
            for recipient in (booking.client, booking.coach.user):
                if recipient is None:  # a guest: the reminder log is per account (not sent)
                    continue
                yield DueReminder(
                    object_id=booking.pk,
                    recipient=recipient,
                    target=booking,
                    starts_at=booking.start,
                    booked_at=booking.confirmed_at,
                )


def register() -> None:
    register_provider(SessionReminders())
