"""Webinar slots worth a reminder, registered with the notifications app (WebinarsConfig.ready);
the 1:1 session provider lives in the bookings app."""

from __future__ import annotations

from notifications.reminders import DueReminder, register_provider
from webinars.models import Registration, WebinarSlot


class WebinarSlotReminders:
    """Each slot of a webinar reminds its confirmed attendees and its coach."""

    kind = "webinar"

    def upcoming(self, *, start_after, start_until):
        slots = (
            WebinarSlot.objects.filter(start__gt=start_after, start__lte=start_until)
            .exclude(webinar__status__in=["draft", "cancelled"])
            .select_related("webinar__coach__user")
        )
        slots = list(slots)
        if not slots:
            return
        registrations = (
            Registration.objects.filter(
                webinar_id__in={slot.webinar_id for slot in slots},
                status=Registration.Status.CONFIRMED,
            )
            .select_related("user")
            .order_by("pk")
        )
        attendees_by_webinar: dict[int, list] = {}
        for registration in registrations:
            attendees_by_webinar.setdefault(registration.webinar_id, []).append(registration)
        for slot in slots:
            webinar = slot.webinar
            for registration in attendees_by_webinar.get(webinar.pk, []):
                yield DueReminder(
                    object_id=slot.pk,
                    recipient=registration.user,
                    target=webinar,
                    starts_at=slot.start,
                    ends_at=slot.end,
                    booked_at=registration.confirmed_at,
                )
            yield DueReminder(
                object_id=slot.pk,
                recipient=webinar.coach.user,
                target=webinar,
                starts_at=slot.start,
                ends_at=slot.end,
            )


def register() -> None:
    register_provider(WebinarSlotReminders())
