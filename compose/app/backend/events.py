"""Event delivery: per-chat sequence numbers, live fan-out to the owner's connections, and the
buffer that lets a reconnecting client `resume` and receive what it missed, exactly once, in order.

Live delivery never waits for Redis: events are handed to subscribers first, kept in a bounded
in-memory ring, and written to Redis (which survives a backend restart) by a background writer.
When Redis is down the writer drops its writes quickly and live events keep flowing. Redis calls
are bounded by the client's socket time-outs, never by cancelling them (a cancelled redis-py call
can leave a reply unread on the connection).
"""
import asyncio
import collections
import json
import logging
import time
from datetime import datetime, timezone

log = logging.getLogger("backend.events")
BUFFER_SECONDS = 3600


def now_iso():
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class EventHub:
    def __init__(self, redis, settings):
        self.redis = redis
        self.buffering = settings.resilience
        self.capacity = settings.buffer_events
        self.last_seq = {}                   # chat_id -> last sequence number handed out
        self.owner = {}                      # chat_id -> user_id
        self.recent = {}                     # chat_id -> deque of recent events (the in-memory ring)
        self.subscribers = collections.defaultdict(set)  # chat_id -> connections
        self.seq_locks = collections.defaultdict(asyncio.Lock)
        self.pending = asyncio.Queue(maxsize=100_000)
        self.redis_down_until = 0.0
        self.dropped_writes = 0
        self.writer = None

    def start(self):
        if self.buffering:
            self.writer = asyncio.create_task(self._write_buffer())

    async def stop(self, flush_timeout=1.5):
        """Writes what is still queued (so a restart loses no buffered event), then stops the writer."""
        if self.writer is None:
            return
        try:
            await asyncio.wait_for(self.pending.join(), flush_timeout)
        except asyncio.TimeoutError:
            log.warning("%d buffered event(s) not written at shutdown", self.pending.qsize())
        self.writer.cancel()

    async def publish(self, *, user_id, chat_id, run_id, type, **payload):
        """Assigns the chat's next sequence number and delivers the event; returns it."""
        async with self.seq_locks[chat_id]:
            if chat_id not in self.last_seq:
                self.last_seq[chat_id] = await self._stored_seq(chat_id)
            self.last_seq[chat_id] += 1
            event = {"type": type, "timestamp": now_iso(), "user_id": user_id, "chat_id": chat_id,
                     "run_id": run_id, "seq": self.last_seq[chat_id], **payload}
            self.owner[chat_id] = user_id
            for connection in list(self.subscribers[chat_id]):
                if connection.user_id == user_id:  # isolation holds even if a subscription were wrong
                    connection.deliver(event)
            if self.buffering:
                ring = self.recent.setdefault(chat_id, collections.deque(maxlen=self.capacity))
                ring.append(event)
                try:
                    self.pending.put_nowait(event)
                except asyncio.QueueFull:
                    self.dropped_writes += 1
        return event

    def subscribe(self, connection, chat_id):
        self.subscribers[chat_id].add(connection)

    def unsubscribe_all(self, connection):
        for chat_id in list(connection.chats):
            self.subscribers[chat_id].discard(connection)
            if not self.subscribers[chat_id]:
                del self.subscribers[chat_id]

    async def known_owner(self, chat_id):
        """The chat's owner from memory or the Redis buffer, or None when neither knows it."""
        if chat_id in self.owner:
            return self.owner[chat_id]
        if not self.buffering or self._redis_is_down():
            return None
        try:
            return await self.redis.get(f"chat:{chat_id}:owner")
        except Exception:  # noqa: BLE001 - an unreachable buffer just knows nothing
            self._redis_failed()
            return None

    async def resume(self, connection, chat_id, last_seq):
        """Subscribes `connection` to the chat and sends every buffered event after `last_seq`, then
        whatever arrived live meanwhile: each event exactly once, in sequence order. Returns the count replayed."""
        connection.hold(chat_id)
        self.subscribe(connection, chat_id)
        replayed = 0
        try:
            if self.buffering:
                events = {event["seq"]: event for event in await self._buffered(chat_id)}
                events.update({event["seq"]: event for event in self.recent.get(chat_id, ())})
                for seq in sorted(events):
                    if seq > last_seq and events[seq]["user_id"] == connection.user_id:
                        connection.deliver(events[seq], replay=True)
                        replayed += 1
        finally:
            connection.release(chat_id, after=last_seq)
        return replayed

    async def _stored_seq(self, chat_id):
        if not self.buffering or self._redis_is_down():
            return 0
        try:
            value = await self.redis.get(f"chat:{chat_id}:seq")
            return int(value or 0)
        except Exception:  # noqa: BLE001
            self._redis_failed()
            return 0

    async def _buffered(self, chat_id):
        if self._redis_is_down():
            return []
        try:
            raw = await self.redis.lrange(f"chat:{chat_id}:events", 0, -1)
            return [json.loads(item) for item in raw]
        except Exception:  # noqa: BLE001
            self._redis_failed()
            return []

    def _redis_is_down(self):
        return time.monotonic() < self.redis_down_until

    def _redis_failed(self):
        self.redis_down_until = time.monotonic() + 1.0

    async def _write_buffer(self):
        while True:
            event = await self.pending.get()
            try:
                await self._write_one(event)
            finally:
                self.pending.task_done()

    async def _write_one(self, event):
        if self._redis_is_down():
            self.dropped_writes += 1
            return
        chat_id = event["chat_id"]
        try:
            pipe = self.redis.pipeline(transaction=True)
            pipe.rpush(f"chat:{chat_id}:events", json.dumps(event))
            pipe.ltrim(f"chat:{chat_id}:events", -self.capacity, -1)
            pipe.expire(f"chat:{chat_id}:events", BUFFER_SECONDS)
            pipe.set(f"chat:{chat_id}:seq", event["seq"], ex=BUFFER_SECONDS)
            pipe.set(f"chat:{chat_id}:owner", event["user_id"], ex=BUFFER_SECONDS)
            await pipe.execute()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001
            self.dropped_writes += 1
            self._redis_failed()
            log.warning("event buffer write failed (%s); live delivery continues", exc or type(exc).__name__)
