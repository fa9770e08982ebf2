"""Agent runs: persist the request, think, call tools, ask the model, persist the answer, and
report every step as an event. Failures reach the client as `error` events, never as silence."""
import asyncio
import json
import logging
import time

from . import tools
from .errors import ClientVisibleError, DependencyError, RequestError
from .retry import RetryLater, reason, with_retries

log = logging.getLogger("backend.agent")


class AgentService:
    def __init__(self, settings, store, hub, limiter, http):
        self.settings = settings
        self.store = store
        self.hub = hub
        self.limiter = limiter
        self.http = http
        self.tasks = set()

    def start(self, *, user_id, chat_id, run_id, agent_name, request, continuing):
        """Starts a run in the background: it goes on when the client disconnects."""
        task = asyncio.create_task(self._run(user_id, chat_id, run_id, agent_name, request, continuing))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def shutdown(self):
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    async def _run(self, user_id, chat_id, run_id, agent_name, request, continuing):
        async def emit(type, **payload):
            await self.hub.publish(user_id=user_id, chat_id=chat_id, run_id=run_id, type=type, **payload)

        started = False
        try:
            async with self.limiter.admit(user_id):
                if continuing and await self._database("look up the chat", lambda: self.store.chat_owner(chat_id), emit) != user_id:
                    raise RequestError("chat_not_found", f"chat {chat_id!r} does not exist for this user")
                attempts = 0

                def record_run():
                    nonlocal attempts
                    attempts += 1
                    return self.store.begin_run(user_id=user_id, chat_id=chat_id, run_id=run_id, agent_name=agent_name,
                                                request=request, retry=attempts > 1)
                await self._database("record the run", record_run, emit)
                started = True
                await emit("agent_started", agent_name=agent_name, request=request)
                await emit("agent_thinking", reasoning=f"Reading the request ({len(request)} characters) and choosing tools.")
                results = []
                for tool_name, params in tools.plan(request):
                    await emit("tool_executing", tool_name=tool_name, params=params)
                    began = time.monotonic()
                    result = await self._tool(tool_name, params, user_id, emit)
                    duration = round((time.monotonic() - began) * 1000, 3)
                    results.append({"tool_name": tool_name, "params": params, "result": result, "duration_ms": duration})
                    await emit("tool_completed", tool_name=tool_name, result=result, duration=duration)
                context = await self._database("read the conversation", lambda: self.store.chat_context(chat_id), emit) if continuing else []
                await emit("agent_thinking", reasoning=f"Asking the model with {len(results)} tool results.")
                response = await self._model(request, context, results, emit)
                await self._database("save the answer", lambda: self.store.finish_run(
                    run_id=run_id, chat_id=chat_id, response=response, tools=results,
                    state={"tools": [r["tool_name"] for r in results], "response_chars": len(response)}), emit)
                await emit("agent_completed", response=response)
        except asyncio.CancelledError:
            raise
        except ClientVisibleError as exc:
            await emit("error", code=exc.code, message=exc.message)
            if started:
                await self._mark_failed(run_id, exc.message)
        except Exception as exc:  # noqa: BLE001 - an unexpected failure is still reported, never swallowed
            log.exception("run %s failed", run_id)
            message = f"internal error: {type(exc).__name__}: {exc}"
            await emit("error", code="internal", message=message)
            if started:
                await self._mark_failed(run_id, message)

    async def _database(self, what, operation, emit):
        settings = self.settings

        async def announce(attempt, attempts, reason, delay):
            await emit("agent_thinking", reasoning=f"The database is unavailable ({reason}) while trying to {what}; "
                                                   f"retrying in {delay:g}s (attempt {attempt} of {attempts}).", retrying=True)

        def describe(exc, attempts):
            if isinstance(exc, RetryLater):
                return DependencyError("model_rate_limited", f"model rate-limited after {attempts} attempt(s) ({attempts - 1} retries): {exc}")
            return DependencyError("database_unavailable", f"database unavailable: could not {what} after {attempts} attempt(s): "
                                                           f"{reason(exc, settings.db_timeout)}")
        return await with_retries(operation, attempts=settings.database_attempts, timeout=settings.db_timeout,
                                  backoff_base=settings.backoff_base, backoff_max=settings.backoff_max,
                                  describe=describe, on_retry=announce)

    async def _tool(self, tool_name, params, user_id, emit):
        if tool_name == "calculator":
            return tools.calculate(params["expression"])
        if tool_name == "search":
            return tools.search(params["query"])
        history = await self._database("query your history", lambda: self.store.user_history(user_id, params["limit"]), emit)
        return {"recent_requests": history}

    async def _model(self, request, context, results, emit):
        settings = self.settings
        prompt = "\n".join(context + [f"user: {request}"] + [f"tool {r['tool_name']}: {r['result']}" for r in results])

        async def call():
            async with self.http.post(f"{settings.llm_url}/v1/complete", json={"prompt": prompt}) as response:
                if response.status == 429:
                    after = retry_after(response.headers.get("Retry-After"))
                    raise RetryLater("HTTP 429" + (f", Retry-After {after:g}s" if after is not None else ""), after)
                if response.status in (401, 403):
                    # Another attempt with the same key gets the same answer: say so at once.
                    raise DependencyError("model_auth_failed", f"the model refused the backend's credentials (HTTP {response.status}); "
                                                               f"not retried, the key needs fixing")
                if response.status != 200:
                    raise RuntimeError(f"the model answered HTTP {response.status}")
                raw = await response.read()
            try:
                text = json.loads(raw)["text"]
                if not isinstance(text, str):
                    raise TypeError(f"'text' is {type(text).__name__}, not a string")
            except (ValueError, KeyError, TypeError) as exc:
                # A malformed answer is the model service's bug, not an outage: nothing is stored, the run ends clearly.
                raise DependencyError("model_bad_response", f"the model's answer was malformed ({type(exc).__name__}: "
                                                            f"{str(exc)[:120]}); not retried, nothing was stored") from None
            return text

        async def announce(attempt, attempts, reason, delay):
            await emit("agent_thinking", reasoning=f"The model did not answer ({reason}); retrying in {delay:g}s "
                                                   f"(attempt {attempt} of {attempts}).", retrying=True)

        def describe(exc, attempts):
            if isinstance(exc, RetryLater):
                return DependencyError("model_rate_limited", f"model rate-limited after {attempts} attempt(s) ({attempts - 1} retries): {exc}")
            return DependencyError("model_timeout" if isinstance(exc, asyncio.TimeoutError) else "model_unavailable",
                                   f"model {'timeout' if isinstance(exc, asyncio.TimeoutError) else 'unavailable'} after "
                                   f"{attempts} attempt(s) ({attempts - 1} retries): {reason(exc, settings.llm_timeout)}")
        return await with_retries(call, attempts=settings.model_attempts, timeout=settings.llm_timeout,
                                  backoff_base=settings.backoff_base, backoff_max=settings.backoff_max,
                                  describe=describe, on_retry=announce)

    async def _mark_failed(self, run_id, message):
        try:
            await asyncio.wait_for(self.store.fail_run(run_id, message), self.settings.db_timeout)
        except Exception as exc:  # noqa: BLE001 - the run stays 'running' and is marked interrupted at the next start
            log.warning("could not mark run %s failed: %s", run_id, exc or type(exc).__name__)


def retry_after(value):
    """Seconds from a Retry-After header given in seconds (an HTTP date is not used here); None otherwise."""
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
