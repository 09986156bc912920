from django.urls import path

from notifications import delivery, views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read-all/", views.notification_read_all, name="read_all"),
    path("<int:notification_id>/read/", views.notification_read, name="read"),
    path("preferences/", views.preferences, name="preferences"),
    # The email provider's tracking webhook (anymail's view for EMAIL_PROVIDER).
    path("email/events/", delivery.email_events, name="email_events_webhook"),
]
