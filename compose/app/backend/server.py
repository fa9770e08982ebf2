"""HTTP and WebSocket front: `/health` (each dependency, degraded → 503) and `/ws` (JWT verified
through the auth service; messages start_agent, user_message, ping, resume)."""
import asyncio
import json
import logging
import uuid

import aiohttp
from aiohttp import web

from .connection import Connection
from .errors import ClientVisibleError, RequestError
from .retry import reason

log = logging.getLogger("backend.server")
MESSAGE_TYPES = ("start_agent", "user_message", "ping", "resume")
AUTH_TIMEOUT = 2.0
HEALTH_TIMEOUT = 1.0


class Server:
    def __init__(self, settings, store, redis, hub, agents, http):
        self.settings = settings
        self.store = store
        self.redis = redis
        self.hub = hub
        self.agents = agents
        self.http = http
        self.ready = False
        self.connections = set()

    async def health(self, _request):
        async def check(name, probe):
            try:
                await asyncio.wait_for(probe(), HEALTH_TIMEOUT)
                return name, "ok"
            except Exception as exc:  # noqa: BLE001 - every failure is a degraded dependency
                return name, f"down: {reason(exc, HEALTH_TIMEOUT)}"

        async def http_ok(url):
            async with self.http.get(url) as response:
                if response.status != 200:
                    raise RuntimeError(f"HTTP {response.status}")

        results = dict(await asyncio.gather(
            check("postgres", self.store.ping), check("redis", self.redis.ping),
            check("auth", lambda: http_ok(f"{self.settings.auth_url}/health")),
            check("llm", lambda: http_ok(f"{self.settings.llm_url}/health"))))
        degraded = sorted(name for name, state in results.items() if state != "ok")
        if not self.ready and "postgres" not in degraded:
            degraded.append("startup")
        body = {"status": "degraded" if degraded else "ok", "degraded": degraded, "dependencies": results,
                "resilience": "on" if self.settings.resilience else "off", "runs_in_progress": len(self.agents.tasks)}
        return web.json_response(body, status=503 if degraded else 200)

    async def websocket(self, request):
        ws = web.WebSocketResponse(max_msg_size=1 << 20)
        await ws.prepare(request)
        user_id = await self._authenticate(request, ws)
        if user_id is None:
            await ws.close(code=4401 if not ws.closed else 1000)
            return ws
        connection = Connection(ws, user_id)
        self.connections.add(connection)
        connection.send({"type": "connected", "user_id": user_id})
        try:
            async for message in ws:
                if message.type == aiohttp.WSMsgType.TEXT:
                    await self._handle(connection, message.data)
                elif message.type == aiohttp.WSMsgType.BINARY:
                    connection.send(error("malformed", "malformed message: send JSON text frames, not binary"))
        finally:
            self.hub.unsubscribe_all(connection)
            self.connections.discard(connection)
            await connection.close()
        return ws

    async def _authenticate(self, request, ws):
        header = request.headers.get("Authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else request.query.get("token", "")
        if not token:
            await ws.send_json(error("unauthorized", "missing token: send 'Authorization: Bearer <JWT>' or ?token=<JWT>"))
            return None
        try:
            async with self.http.post(f"{self.settings.auth_url}/verify", json={"token": token},
                                      timeout=aiohttp.ClientTimeout(total=AUTH_TIMEOUT)) as response:
                body = await response.json(content_type=None)
                if response.status == 200:
                    return body["user_id"]
                if response.status in (400, 401):
                    await ws.send_json(error("unauthorized", body.get("error", "invalid token")))
                    return None
                raise RuntimeError(f"HTTP {response.status}")
        except (aiohttp.ClientError, asyncio.TimeoutError, RuntimeError, ValueError, KeyError) as exc:
            await ws.send_json(error("auth_unavailable", f"authentication service unavailable: {reason(exc, AUTH_TIMEOUT)}; "
                                                         "try again shortly"))
            await ws.close(code=1011)
            return None

    async def _handle(self, connection, text):
        try:
            message = json.loads(text)
        except json.JSONDecodeError as exc:
            connection.send(error("malformed", f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"))
            return
        if not isinstance(message, dict):
            connection.send(error("malformed", "malformed message: expected a JSON object"))
            return
        kind = message.get("type")
        try:
            if kind == "ping":
                connection.send({"type": "pong", **({"id": message["id"]} if "id" in message else {})})
            elif kind == "start_agent":
                agent_name, request, chat_id, run_id = fields(message, "agent_name", "request", "chat_id", "run_id")
                self._start(connection, chat_id, run_id, agent_name, request, continuing=False)
            elif kind == "user_message":
                chat_id, request = fields(message, "chat_id", "message")
                run_id = message.get("run_id") or f"run-{uuid.uuid4().hex[:12]}"
                self._start(connection, chat_id, run_id, message.get("agent_name") or "assistant", request, continuing=True)
            elif kind == "resume":
                (chat_id,) = fields(message, "chat_id")
                last_seq = message.get("last_seq", 0)
                if not isinstance(last_seq, int) or last_seq < 0:
                    raise RequestError("malformed", "resume: last_seq must be a non-negative integer")
                await self._resume(connection, chat_id, last_seq)
            else:
                raise RequestError("malformed", f"unknown message type {kind!r} (allowed: {', '.join(MESSAGE_TYPES)})")
        except ClientVisibleError as exc:
            connection.send(error(exc.code, exc.message, message))

    def _start(self, connection, chat_id, run_id, agent_name, request, continuing):
        self.hub.subscribe(connection, chat_id)
        connection.chats.add(chat_id)
        self.agents.start(user_id=connection.user_id, chat_id=chat_id, run_id=run_id, agent_name=agent_name,
                          request=request, continuing=continuing)

    async def _resume(self, connection, chat_id, last_seq):
        owner = await self.hub.known_owner(chat_id)
        if owner is None:
            try:
                owner = await asyncio.wait_for(self.store.chat_owner(chat_id), self.settings.db_timeout)
            except Exception as exc:  # noqa: BLE001
                raise RequestError("database_unavailable", f"database unavailable: cannot check chat {chat_id!r}: "
                                                           f"{reason(exc, self.settings.db_timeout)}")
        if owner != connection.user_id:
            raise RequestError("chat_not_found", f"chat {chat_id!r} does not exist for this user")
        replayed = await self.hub.resume(connection, chat_id, last_seq)
        connection.send({"type": "resumed", "chat_id": chat_id, "replayed": replayed,
                         "buffering": "on" if self.settings.resilience else "off"})


def fields(message, *names):
    missing = [name for name in names if not isinstance(message.get(name), str) or not message.get(name).strip()]
    if missing:
        raise RequestError("malformed", f"{message.get('type')}: missing or empty field(s): {', '.join(missing)}")
    return [message[name] for name in names]


def error(code, message, request=None):
    event = {"type": "error", "code": code, "message": message}
    if isinstance(request, dict):
        for key in ("chat_id", "run_id"):
            if isinstance(request.get(key), str):
                event[key] = request[key]
    return event
