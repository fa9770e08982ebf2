"""A small client of the reference stack for scenario probes: tokens from auth, WebSocket sessions
to the backend, and checks on the event stream (order, sequence gaps, duplicates, ownership).
Every scenario script exits 0 when its assertion holds and 1 with one line saying what broke."""
import asyncio
import json
import os
import sys
import urllib.request
import uuid

import websockets

AUTH_URL = os.environ.get("STACK_AUTH_URL", "http://127.0.0.1:8081")
WS_URL = os.environ.get("STACK_WS_URL", "ws://127.0.0.1:8000/ws")
TERMINAL = ("agent_completed", "error")


class ScenarioFailure(Exception):
    """The assertion a scenario checks does not hold."""


def token(user):
    request = urllib.request.Request(f"{AUTH_URL}/token", data=json.dumps({"user": user}).encode(),
                                     headers={"content-type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=3) as response:
        return json.load(response)["token"]


def new_id(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


class Session:
    """One WebSocket connection of one user; events are checked as they arrive."""

    def __init__(self, user, token_text):
        self.user = user
        self.token = token_text
        self.ws = None
        self.last_seq = {}   # chat_id -> last sequence number seen
        self.events = []
        self.dedupe = False  # drop an event whose sequence number was seen already (a client that deduplicates)
        self.duplicates = 0  # how many it dropped

    async def connect(self, timeout=5):
        self.ws = await asyncio.wait_for(websockets.connect(WS_URL, extra_headers={"Authorization": f"Bearer {self.token}"},
                                                            open_timeout=timeout, close_timeout=1), timeout)
        hello = await self.receive(timeout)
        if hello.get("type") != "connected":
            raise ScenarioFailure(f"{self.user}: expected 'connected', got {hello}")
        return self

    async def send(self, message):
        await self.ws.send(json.dumps(message))

    async def receive(self, timeout):
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            try:
                raw = await asyncio.wait_for(self.ws.recv(), max(0.0, deadline - loop.time()))
            except asyncio.TimeoutError:
                raise ScenarioFailure(f"{self.user}: silence for {timeout:g}s (a hang, not a clear error)") from None
            event = json.loads(raw)
            if self.dedupe and self.seen(event):
                self.duplicates += 1
                continue
            self.check(event)
            self.events.append(event)
            return event

    def seen(self, event):
        """An event of a chat whose sequence number is not past the last one shown: a duplicate."""
        previous = self.last_seq.get(event.get("chat_id"))
        return "seq" in event and previous is not None and event["seq"] <= previous

    def check(self, event):
        if "seq" not in event:
            return
        if event.get("user_id") != self.user:
            raise ScenarioFailure(f"{self.user} received an event of {event.get('user_id')}: {event.get('type')} in chat {event.get('chat_id')}")
        chat, seq = event["chat_id"], event["seq"]
        previous = self.last_seq.get(chat)
        if previous is not None and seq != previous + 1:
            kind = "duplicate" if seq <= previous else "gap"
            raise ScenarioFailure(f"{self.user}: chat {chat}: {kind} in sequence: {previous} then {seq} ({event['type']})")
        self.last_seq[chat] = seq

    async def until_terminal(self, run_id, timeout):
        """Events until the run's agent_completed or error; returns that event."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise ScenarioFailure(f"{self.user}: run {run_id} did not end within {timeout:g}s")
            event = await self.receive(remaining)
            if event.get("type") in TERMINAL and event.get("run_id") in (run_id, None):
                return event

    async def close(self):
        if self.ws is not None:
            await self.ws.close()


def start_agent(chat_id, run_id, request="What is 6 * 7? Tell me about retries with backoff."):
    return {"type": "start_agent", "agent_name": "assistant", "request": request, "chat_id": chat_id, "run_id": run_id}


def main(scenario):
    """Runs an async scenario; exit 0 with its summary line, or 1 with what broke."""
    try:
        summary = asyncio.run(scenario())
    except ScenarioFailure as failure:
        print(f"FAIL: {failure}")
        sys.exit(1)
    except (OSError, websockets.exceptions.WebSocketException, asyncio.TimeoutError) as exc:
        print(f"FAIL: connection: {type(exc).__name__}: {exc}")
        sys.exit(1)
    print(f"ok: {summary}")
