"""All websocket routes, collected from the apps that own consumers."""

from core.routing import websocket_urlpatterns as core_ws
from notifications.routing import websocket_urlpatterns as notifications_ws

websocket_urlpatterns = [*core_ws, *notifications_ws]
