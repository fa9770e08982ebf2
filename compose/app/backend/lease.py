"""Which backend process owns which run, so that several replicas can share one database.

Each process has an instance id and keeps a lease row fresh (`backend_instances.seen_at`, every
second). Runs record their owner. A run whose owner's lease has gone stale (the process was
SIGKILLed, its node drained or partitioned away) or was given up (a clean shutdown deletes the
row) is marked interrupted by whichever live replica sweeps first — `UPDATE … RETURNING` hands
each run to exactly one sweeper — and its chat gets an `error` event, so a client that resumed on
another replica is told. A replica never sweeps its own runs, and it sweeps only after two
refreshes in a row succeeded: after a database outage every lease is stale at once, and the
others get a refresh in before anyone judges them.
"""
import asyncio
import logging

log = logging.getLogger("backend.lease")
REFRESH_SECONDS = 1.0
STALE_SECONDS = 4.0
INTERRUPTED_MESSAGE = "the run was interrupted: the backend serving it stopped; its partial work was discarded, start it again"


class Lease:
    def __init__(self, store, hub, instance):
        self.store, self.hub, self.instance = store, hub, instance
        self.fresh_refreshes = 0
        self.task = None

    def start(self):
        self.task = asyncio.create_task(self._keep())

    async def register_and_sweep(self):
        """At start-up: the lease first (so this process's runs are never swept), then the runs of
        processes that are gone (a restart's predecessor gave its lease up or let it go stale)."""
        await self.store.refresh_lease(self.instance)
        await self._sweep(STALE_SECONDS)

    async def give_up(self):
        """On a clean shutdown: the lease row goes, so another replica sweeps this one's runs at once."""
        if self.task is not None:
            self.task.cancel()
        try:
            await asyncio.wait_for(self.store.drop_lease(self.instance), 1.0)
        except Exception as exc:  # noqa: BLE001 - the lease then just goes stale
            log.warning("lease not given up (%s); it goes stale in %gs", exc or type(exc).__name__, STALE_SECONDS)

    async def _keep(self):
        while True:
            await asyncio.sleep(REFRESH_SECONDS)
            try:
                await asyncio.wait_for(self.store.refresh_lease(self.instance), 2.0)
                self.fresh_refreshes += 1
                if self.fresh_refreshes >= 2:
                    await asyncio.wait_for(self._sweep(STALE_SECONDS), 2.0)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - the database is away; judge no one until it is back
                self.fresh_refreshes = 0
                log.info("lease refresh failed (%s)", exc or type(exc).__name__)

    async def _sweep(self, stale_seconds):
        swept = await self.store.interrupt_orphaned_runs(self.instance, stale_seconds)
        for run_id, chat_id, user_id in swept:
            await self.hub.publish(user_id=user_id, chat_id=chat_id, run_id=run_id, type="error", code="run_interrupted",
                                   message=INTERRUPTED_MESSAGE)
        if swept:
            log.info("marked %d run(s) of stopped backends interrupted", len(swept))
        return swept
