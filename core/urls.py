from django.urls import path

from core import calendar_files, dashboard_views, my_bookings, staff_views, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("staff/", staff_views.command_center_page, name="staff"),
    path("staff/retry/emails/", staff_views.retry_failed_emails, name="staff_retry_emails"),
    path(
        "staff/retry/webhooks/<int:event_id>/",
        staff_views.retry_webhook_event,
        name="staff_retry_event",
    ),
    path("coach/dashboard/", dashboard_views.coach_dashboard, name="coach_dashboard"),
    path(
        "coach/dashboard/layout/",
        dashboard_views.coach_dashboard_layout,
        name="coach_dashboard_layout",
    ),
    path("dashboard/", dashboard_views.client_launchpad, name="launchpad"),
    path("bookings/mine/", my_bookings.my_bookings, name="my_bookings"),
    path(
        "bookings/<int:pk>/calendar.ics", calendar_files.booking_calendar, name="booking_calendar"
    ),
    path(
        "webinars/<int:pk>/calendar.ics", calendar_files.webinar_calendar, name="webinar_calendar"
    ),
]
