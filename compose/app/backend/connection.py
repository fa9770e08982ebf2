"""One client WebSocket: an ordered outbound queue (publishers never wait for a slow client), the
chats it is subscribed to, and per-chat holds used while a `resume` replays the buffer."""
import asyncio
import json
import logging

log = logging.getLogger("backend.connection")
OUTBOUND_LIMIT = 10_000


class Connection:
    def __init__(self, ws, user_id):
        self.ws = ws
        self.user_id = user_id
        self.chats = set()
        self.held = {}          # chat_id -> live events held back while a resume replays
        self.last_sent = {}     # chat_id -> highest sequence number sent
        self.outbound = asyncio.Queue(maxsize=OUTBOUND_LIMIT)
        self.writer = asyncio.create_task(self._write())

    def send(self, message):
        """Queues a message that is not a chat event (pong, connected, resumed, request errors)."""
        self._enqueue(message)

    def deliver(self, event, replay=False):
        """Queues a chat event unless it was sent already: each sequence number goes out once."""
        chat_id = event["chat_id"]
        self.chats.add(chat_id)
        if not replay and chat_id in self.held:
            self.held[chat_id].append(event)
            return
        if event["seq"] <= self.last_sent.get(chat_id, 0):
            return
        self.last_sent[chat_id] = event["seq"]
        self._enqueue(event)

    def hold(self, chat_id):
        self.chats.add(chat_id)
        self.held[chat_id] = []

    def release(self, chat_id, after):
        """Ends a hold: sends the live events that arrived during the replay, skipping any already sent."""
        self.last_sent[chat_id] = max(self.last_sent.get(chat_id, 0), after)
        for event in sorted(self.held.pop(chat_id, []), key=lambda e: e["seq"]):
            self.deliver(event)

    def _enqueue(self, message):
        try:
            self.outbound.put_nowait(message)
        except asyncio.QueueFull:
            log.warning("client of %s is not reading; closing its connection", self.user_id)
            asyncio.ensure_future(self.ws.close(code=1013, message=b"too slow"))

    async def _write(self):
        try:
            while True:
                message = await self.outbound.get()
                await self.ws.send_str(json.dumps(message))
        except (ConnectionError, RuntimeError, asyncio.CancelledError):
            return

    async def close(self):
        self.writer.cancel()
