from django.urls import path, re_path

from bookings.views import actions, booking, calendar, coach, guest, no_show

app_name = "bookings"

urlpatterns = [
    path("coaches/<int:coach_id>/calendar/", calendar.calendar, name="calendar"),
    path("coaches/<int:coach_id>/book/", booking.book, name="book"),
    path("coaches/<int:coach_id>/start-times/", booking.start_times, name="start_times"),
    path("coaches/<int:coach_id>/connect/", calendar.connect, name="connect"),
    path("prices/quote/", booking.quote, name="quote"),
    path("bookings/", booking.create, name="create"),
    path("bookings/guest/", guest.guest_create, name="guest_create"),
    path("bookings/guest/<str:token>/", guest.guest_manage, name="guest_manage"),
    path("bookings/guest/<str:token>/cancel/", guest.guest_cancel, name="guest_cancel"),
    path("bookings/guest/<str:token>/reschedule/", guest.guest_reschedule, name="guest_reschedule"),
    path("bookings/guest/<str:token>/claim/", guest.guest_claim, name="guest_claim"),
    path("bookings/<int:booking_id>/", actions.detail, name="detail"),
    path("bookings/<int:booking_id>/status/", booking.status, name="status"),
    path(
        "bookings/<int:booking_id>/payment/cancel/", booking.payment_cancel, name="payment_cancel"
    ),
    path("bookings/<int:booking_id>/accept/", actions.accept, name="accept"),
    path("bookings/<int:booking_id>/decline/", actions.decline, name="decline"),
    path("bookings/<int:booking_id>/suggest/", actions.suggest, name="suggest"),
    path("bookings/<int:booking_id>/pick/", actions.pick, name="pick"),
    path(
        "bookings/<int:booking_id>/decline-suggestion/",
        actions.decline_suggestion,
        name="decline_suggestion",
    ),
    path("bookings/<int:booking_id>/withdraw/", actions.withdraw, name="withdraw"),
    path("bookings/<int:booking_id>/cancel/", actions.cancel, name="cancel"),
    path("bookings/<int:booking_id>/reschedule/", actions.reschedule, name="reschedule"),
    path("bookings/<int:booking_id>/no-show/", no_show.mark, name="no_show"),
    path("coach/requests/", coach.requests_inbox, name="coach_requests"),
    path("coach/availability/add/", calendar.availability_add, name="availability_add"),
    path(
        "coach/availability/weekly/",
        calendar.availability_add_weekly,
        name="availability_add_weekly",
    ),
    path(
        "coach/availability/<int:slot_id>/remove/",
        calendar.availability_remove,
        name="availability_remove",
    ),
    path(
        "coach/availability/series/<int:series_id>/remove/",
        calendar.availability_series_remove,
        name="availability_series_remove",
    ),
    re_path(
        r"^connections/(?P<connection_id>\d+)/(?P<answer>accept|decline)/$",
        calendar.connection_answer,
        name="connection_answer",
    ),
    re_path(r"^users/(?P<user_id>\d+)/(?P<action>block|unblock)/$", calendar.block, name="block"),
]
