from django.urls import path

from core import calendar_files, my_bookings, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("bookings/mine/", my_bookings.my_bookings, name="my_bookings"),
    path(
        "bookings/<int:pk>/calendar.ics", calendar_files.booking_calendar, name="booking_calendar"
    ),
    path(
        "webinars/<int:pk>/calendar.ics", calendar_files.webinar_calendar, name="webinar_calendar"
    ),
]
