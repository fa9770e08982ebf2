"""Retries with exponential backoff that the user can see: each retry is announced through a callback."""
import asyncio

from .errors import ClientVisibleError


class RetryLater(Exception):
    """A dependency asked to be called again later (HTTP 429 with Retry-After): the wait it asked
    for replaces the backoff (up to twice the longest backoff)."""

    def __init__(self, message, after):
        super().__init__(message)
        self.after = after


async def with_retries(operation, *, attempts, timeout, backoff_base, backoff_max, describe, on_retry=None):
    """Runs `operation()` (a coroutine factory) with a per-attempt timeout, up to `attempts` times.

    `describe(exc, attempts)` turns the last failure into a DependencyError after the final attempt;
    `on_retry(attempt, attempts, reason, delay)` is awaited before each retry.
    """
    last = None
    for attempt in range(1, attempts + 1):
        try:
            return await asyncio.wait_for(operation(), timeout)
        except asyncio.CancelledError:
            raise
        except ClientVisibleError:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure of the dependency is retried
            last = exc
        if attempt < attempts:
            delay = min(backoff_max, backoff_base * (2 ** (attempt - 1)))
            if isinstance(last, RetryLater) and last.after is not None:
                delay = min(2 * backoff_max, max(0.0, last.after))
            if on_retry is not None:
                await on_retry(attempt + 1, attempts, reason(last, timeout), delay)
            await asyncio.sleep(delay)
    raise describe(last, attempts)


def reason(exc, timeout):
    if isinstance(exc, asyncio.TimeoutError):
        return f"no answer within {timeout:g}s"
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]
