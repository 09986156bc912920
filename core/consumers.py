from channels.generic.websocket import AsyncJsonWebsocketConsumer, AsyncWebsocketConsumer

# A ping is a health check: a few bytes of JSON. Anything bigger is refused with close code
# 1009 ("message too big") before it reaches the channel layer (issue 8 #17).
MAX_PING_BYTES = 1024
CLOSE_TOO_BIG = 1009
CLOSE_UNKNOWN_ROUTE = 4404


class PingConsumer(AsyncJsonWebsocketConsumer):
    """Liveness of the websocket stack: echoes through the channel layer, so a reply proves
    that daphne, the auth middleware and the configured layer (Redis or in-memory) all work."""

    async def connect(self):
        self.group = f"ping.{self.channel_name.replace('!', '_')}"[:90]
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        size = len(text_data.encode()) if text_data is not None else len(bytes_data or b"")
        if size > MAX_PING_BYTES:
            await self.close(code=CLOSE_TOO_BIG)
            return
        try:
            await super().receive(text_data=text_data, bytes_data=bytes_data, **kwargs)
        except ValueError:  # not JSON (json.JSONDecodeError is a ValueError)
            await self.close(code=1003)

    async def receive_json(self, content, **kwargs):
        await self.channel_layer.group_send(self.group, {"type": "pong", "echo": content})

    async def pong(self, event):
        await self.send_json({"type": "pong", "echo": event["echo"]})


class UnknownRouteConsumer(AsyncWebsocketConsumer):
    """The last websocket route: a path no consumer serves is refused at the handshake (the
    client sees a clean rejection, daphne answers 403) instead of URLRouter's 500."""

    async def connect(self):
        await self.close(code=CLOSE_UNKNOWN_ROUTE)
