from django.urls import path

from notifications.consumers import NotificationsConsumer, WebinarConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationsConsumer.as_asgi()),
    path("ws/webinars/<int:webinar_id>/", WebinarConsumer.as_asgi()),
]
