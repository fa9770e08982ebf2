"""Admission control: a cap on runs in flight (overall and per user) and a per-user rate per
minute kept in Redis. Refusals are clear `rate_limited` errors; a Redis outage fails open."""
import contextlib
import logging
import time

from .errors import RequestError

log = logging.getLogger("backend.ratelimit")


class RateLimiter:
    def __init__(self, redis, settings):
        self.redis = redis
        self.settings = settings
        self.running = {}
        self.total = 0

    @contextlib.asynccontextmanager
    async def admit(self, user_id):
        settings = self.settings
        if self.total >= settings.max_runs_total:
            raise RequestError("rate_limited", f"rate limited: the service is at capacity ({self.total} runs in progress); try again shortly")
        if self.running.get(user_id, 0) >= settings.max_runs_per_user:
            raise RequestError("rate_limited", f"rate limited: at most {settings.max_runs_per_user} concurrent runs per user")
        # Take the slot before awaiting Redis, so concurrent admissions cannot all pass the check.
        self.running[user_id] = self.running.get(user_id, 0) + 1
        self.total += 1
        try:
            await self._count_this_minute(user_id)
            yield
        finally:
            self.total -= 1
            self.running[user_id] -= 1
            if not self.running[user_id]:
                del self.running[user_id]

    async def _count_this_minute(self, user_id):
        key = f"rate:{user_id}:{int(time.time() // 60)}"
        try:
            pipe = self.redis.pipeline(transaction=True)
            pipe.incr(key)
            pipe.expire(key, 120)
            count, _ = await pipe.execute()
        except Exception as exc:  # noqa: BLE001 - an unreachable Redis must not stop the service
            log.warning("rate counter unavailable (%s); admitting", exc or type(exc).__name__)
            return
        if count > self.settings.rate_per_minute:
            raise RequestError("rate_limited", f"rate limited: at most {self.settings.rate_per_minute} runs per minute per user")
