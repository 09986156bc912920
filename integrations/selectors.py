"""Reads for the coach's integrations page."""

from __future__ import annotations

from integrations.models import CalendlyBooking, CalendlyConnection, CalendlyLead


def integrations_page(*, coach) -> dict:
    connection = CalendlyConnection.objects.filter(coach=coach).first()
    connected = connection is not None and connection.state != CalendlyConnection.State.DISCONNECTED
    bookings = leads = []
    if connection is not None:
        bookings = list(
            CalendlyBooking.objects.filter(connection=connection)
            .select_related("booking")
            .order_by("-booking__start")[:20]
        )
        leads = list(CalendlyLead.objects.filter(connection=connection)[:50])
    return {
        "connection": connection if connected else None,
        "calendly_bookings": bookings,
        "leads": leads,
    }
