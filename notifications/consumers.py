"""Websocket consumers: thin adapters that join a group and relay rendered HTML.

Both streams are server-to-browser only. Whatever the browser sends (htmx's ws extension
sends form JSON with a HEADERS key) is read and dropped: a malformed or hostile message can
neither close this socket nor reach anyone else's.
"""

from __future__ import annotations

import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from notifications import live
from notifications.live_fragments import may_watch_webinar

logger = logging.getLogger(__name__)

# 4403 mirrors HTTP 403 for a socket closed after accept; before accept Channels answers the
# handshake with HTTP 403 itself.
CLOSE_FORBIDDEN = 4403


class _FragmentRelay(AsyncWebsocketConsumer):
    group: str = ""

    async def disconnect(self, code):
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        """Ignore client messages (no server actions over this socket)."""
        return

    async def html_fragment(self, event):
        await self.send(text_data=event["html"])


class NotificationsConsumer(_FragmentRelay):
    """/ws/notifications/: the signed-in user's own stream (bell count, toasts, their booking
    panels). The group comes from the session's user, never from the URL, so nobody can
    subscribe to somebody else's stream."""

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close()
            return
        self.group = live.user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()


class WebinarConsumer(_FragmentRelay):
    """/ws/webinars/<id>/: everyone who may see the webinar (spots left)."""

    async def connect(self):
        webinar_id = int(self.scope["url_route"]["kwargs"]["webinar_id"])
        user = self.scope.get("user")
        if not await database_sync_to_async(may_watch_webinar)(user=user, webinar_id=webinar_id):
            await self.close()
            return
        self.group = live.webinar_group(webinar_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
