from django.urls import path

from webinars import editor_views, views

app_name = "webinars"

urlpatterns = [
    path("", views.webinar_list, name="list"),
    path("mine/", views.coach_webinars, name="coach_webinars"),
    path("mine/new/", editor_views.webinar_new, name="new"),
    path("mine/<int:webinar_id>/edit/", editor_views.webinar_edit, name="edit"),
    path("mine/<int:webinar_id>/publish/", editor_views.webinar_publish, name="publish"),
    path("mine/<int:webinar_id>/cancel/", views.webinar_cancel, name="cancel"),
    path("<int:webinar_id>/", views.webinar_detail, name="detail"),
    path("<int:webinar_id>/register/", views.webinar_register, name="register"),
    path("<int:webinar_id>/panel/", views.booking_panel, name="panel"),
    path("<int:webinar_id>/hold/cancel/", views.hold_cancel, name="hold_cancel"),
    path("<int:webinar_id>/cancel-seat/", views.seat_cancel, name="seat_cancel"),
    path("<int:webinar_id>/waitlist/", views.waitlist_join, name="waitlist_join"),
    path("<int:webinar_id>/waitlist/leave/", views.waitlist_leave, name="waitlist_leave"),
    path("<int:webinar_id>/join/", views.join, name="join"),
    path("<int:webinar_id>/attendees/", views.webinar_attendees, name="attendees"),
    path(
        "<int:webinar_id>/materials/<int:material_id>/",
        views.material_download,
        name="material",
    ),
]
