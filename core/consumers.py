from channels.generic.websocket import AsyncJsonWebsocketConsumer


class PingConsumer(AsyncJsonWebsocketConsumer):
    """Liveness of the websocket stack: echoes through the channel layer, so a reply proves
    that daphne, the auth middleware and the configured layer (Redis or in-memory) all work."""

    async def connect(self):
        self.group = f"ping.{self.channel_name.replace('!', '_')}"[:90]
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        await self.channel_layer.group_send(self.group, {"type": "pong", "echo": content})

    async def pong(self, event):
        await self.send_json({"type": "pong", "echo": event["echo"]})
