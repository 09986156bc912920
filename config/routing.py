"""All websocket routes, collected from the apps that own consumers. The catch-all comes last:
an unknown path is refused cleanly rather than failing the handshake with a 500."""

from django.urls import re_path

from core.consumers import UnknownRouteConsumer
from core.routing import websocket_urlpatterns as core_ws
from notifications.routing import websocket_urlpatterns as notifications_ws

websocket_urlpatterns = [
    *core_ws,
    *notifications_ws,
    re_path(r"", UnknownRouteConsumer.as_asgi()),
]
