"""Starts the backend: python3 -m backend (from compose/app)."""
import asyncio
import logging
import os
import uuid

import aiohttp
from aiohttp import web

from .agent import AgentService
from .config import Settings
from .events import EventHub
from .lease import Lease
from .ratelimit import RateLimiter
from .redisclient import connect as connect_redis
from .server import Server
from .store import Store

log = logging.getLogger("backend")


async def prepare_database(store, lease, server):
    """Migrates the schema, takes this process's lease and marks the runs of stopped processes
    interrupted (each one's chat gets an `error` event, so a client that resumes is told), retrying
    until the database answers; then keeps the lease fresh."""
    delay = 0.25
    while True:
        try:
            await asyncio.wait_for(store.migrate(), 5)
            interrupted = await asyncio.wait_for(lease.register_and_sweep(), 5)
            break
        except Exception as exc:  # noqa: BLE001 - the database may still be starting
            log.info("database not ready (%s); retrying in %gs", exc or type(exc).__name__, delay)
            await asyncio.sleep(delay)
            delay = min(2.0, delay * 2)
    lease.start()
    server.ready = True
    log.info("ready as %s: %d interrupted run(s) marked", lease.instance, len(interrupted))


def main():
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = Settings.from_environment()
    log.info("starting: resilience %s", "on" if settings.resilience else "OFF (retries and event buffering disabled)")
    state = {}

    async def on_startup(app):
        instance = os.environ.get("BACKEND_INSTANCE") or f"backend-{uuid.uuid4().hex[:12]}"
        store = Store(settings.database_url, instance)
        await store.open()
        redis = connect_redis(settings.redis_url)
        http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        hub = EventHub(redis, settings)
        hub.start()
        agents = AgentService(settings, store, hub, RateLimiter(redis, settings), http)
        server = Server(settings, store, redis, hub, agents, http)
        app["server"] = server
        lease = Lease(store, hub, instance)
        state.update(store=store, redis=redis, http=http, hub=hub, agents=agents, lease=lease)
        state["prepare"] = asyncio.create_task(prepare_database(store, lease, server))

    async def on_shutdown(_app):
        log.info("shutting down: %d run(s) in progress, %d connection(s)", len(state["agents"].tasks), len(app["server"].connections))
        state["prepare"].cancel()
        await state["agents"].shutdown()
        await state["lease"].give_up()
        closes = [connection.ws.close(code=1001, message=b"server shutting down") for connection in list(app["server"].connections)]
        if closes:
            await asyncio.wait([asyncio.ensure_future(close) for close in closes], timeout=1)

    async def on_cleanup(_app):
        await state["hub"].stop()
        log.info("stopped")
        await state["http"].close()
        await state["redis"].close()
        await state["redis"].connection_pool.disconnect()
        await state["store"].close()

    app = web.Application()

    async def health(request):
        return await app["server"].health(request)

    async def websocket(request):
        return await app["server"].websocket(request)

    app.add_routes([web.get("/health", health), web.get("/ws", websocket)])
    app.on_startup.append(on_startup)
    app.on_shutdown.append(on_shutdown)
    app.on_cleanup.append(on_cleanup)
    web.run_app(app, host="0.0.0.0", port=settings.port, print=None, access_log=None, shutdown_timeout=5)


if __name__ == "__main__":
    main()
