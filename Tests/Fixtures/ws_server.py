"""A small WebSocket server for faultline's probe tests (python3-websockets, Debian 12).

Messages are JSON objects with a "type":
  ping    -> pong
  start   -> started, progress, progress, completed (result, items)
  fail    -> error (message: "database unavailable")
  silent  -> nothing
  whoami  -> connection (id: this connection's serial number, 1 for the first)
  kick    -> kicked (count); every other open connection is closed by the server
  other / malformed JSON -> error (message says so); the connection stays open.
Path /secure requires "Authorization: Bearer good-token" (401 otherwise).
"""
import asyncio
import http
import json
import sys

import websockets


async def refuse_bad_tokens(path, headers):
    if path.startswith("/secure") and headers.get("Authorization") != "Bearer good-token":
        return http.HTTPStatus.UNAUTHORIZED, [], b"invalid token\n"
    return None


CONNECTIONS = 0
OPEN = set()


async def handle(ws, path=None):
    global CONNECTIONS
    CONNECTIONS += 1
    serial = CONNECTIONS
    OPEN.add(ws)
    try:
        await serve(ws, serial)
    finally:
        OPEN.discard(ws)


async def serve(ws, serial):
    async for raw in ws:
        try:
            message = json.loads(raw)
            kind = message.get("type")
        except (ValueError, AttributeError):
            await ws.send(json.dumps({"type": "error", "message": "malformed JSON"}))
            continue
        if kind == "ping":
            await ws.send(json.dumps({"type": "pong"}))
        elif kind == "start":
            for step in ("started", "progress", "progress"):
                await ws.send(json.dumps({"type": step}))
                await asyncio.sleep(0.02)
            await ws.send(json.dumps({"type": "completed", "result": "done", "items": [1, 2, 3]}))
        elif kind == "fail":
            await ws.send(json.dumps({"type": "error", "message": "database unavailable"}))
        elif kind == "silent":
            pass
        elif kind == "kick":
            others = [other for other in OPEN if other is not ws]
            for other in others:
                await other.close(code=1001, reason="kicked")
            await ws.send(json.dumps({"type": "kicked", "count": len(others)}))
        elif kind == "whoami":
            await ws.send(json.dumps({"type": "connection", "id": serial}))
        else:
            await ws.send(json.dumps({"type": "error", "message": "unknown message type %r" % kind}))


async def main(port):
    async with websockets.serve(handle, "0.0.0.0", port, process_request=refuse_bad_tokens):
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 8765))
