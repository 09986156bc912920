"""1:1 session reminders (24 h and 1 h before) through the notifications app's scheduler.

Account holders (client and coach) are reminded by `SessionReminders`; a guest who booked a
free session without an account by `GuestSessionReminders`: email only, keyed by the
booking's address, with the signed manage link and times in the booking's zone. A Calendly
booking's invitee gets nothing from us (Calendly sends its own reminders); its coach does."""

from __future__ import annotations

from notifications.reminders import DueReminder, register_provider


class SessionReminders:
    """Each confirmed session reminds its coach and its client (an account holder)."""

    kind = "session"

    def upcoming(self, *, start_after, start_until):
        from bookings.models import Booking

        bookings = Booking.objects.filter(
            status=Booking.Status.CONFIRMED, start__gt=start_after, start__lte=start_until
        ).select_related("client", "coach__user", "session_type")
        for booking in bookings:
            # A guest (no account) is GuestSessionReminders'; a Calendly invitee hears from
            # Calendly, even when the address matched an account here.
            client = None if booking.source == Booking.Source.CALENDLY else booking.client
            for recipient in (client, booking.coach.user):
                if recipient is None:
                    continue
                yield DueReminder(
                    object_id=booking.pk,
                    recipient=recipient,
                    target=booking,
                    starts_at=booking.start,
                    booked_at=booking.confirmed_at,
                )


class GuestSessionReminders:
    """Each confirmed guest booking (source=guest, no account attached) reminds the guest's
    address, with the signed link to view, cancel or reschedule it."""

    kind = "guest_session"

    def upcoming(self, *, start_after, start_until):
        from bookings.guest_links import manage_path
        from bookings.models import Booking

        bookings = (
            Booking.objects.filter(
                status=Booking.Status.CONFIRMED,
                source=Booking.Source.GUEST,
                client__isnull=True,
                start__gt=start_after,
                start__lte=start_until,
            )
            .exclude(guest_email="")
            .select_related("coach__user", "session_type")
        )
        for booking in bookings:
            yield DueReminder(
                object_id=booking.pk,
                recipient=None,
                target=booking,
                starts_at=booking.start,
                booked_at=booking.confirmed_at,
                email=booking.guest_email,
                name=booking.guest_name,
                timezone_name=booking.timezone or "UTC",
                link=manage_path(booking),
            )


def register() -> None:
    register_provider(SessionReminders())
    register_provider(GuestSessionReminders())
