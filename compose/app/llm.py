"""llm: a deterministic stand-in for a language-model API.

POST /v1/complete {"prompt": "..."} -> {"text": "...", "model": "stand-in-1"}
The answer is derived from the prompt alone, so runs are reproducible; LLM_LATENCY_MS (default 80)
is added to every answer, LLM_LATENCY_JITTER_MS spreads it deterministically per prompt, and a
prompt whose newest user line contains "[slow:MS]" takes MS longer (scenarios that need a run in flight during a fault).
GET /health -> {"status": "ok"}
"""
import asyncio
import hashlib
import logging
import os
import re

from aiohttp import web

LATENCY_MS = int(os.environ.get("LLM_LATENCY_MS", "80"))
JITTER_MS = int(os.environ.get("LLM_LATENCY_JITTER_MS", "20"))
SLOW_HINT = re.compile(r"\[slow:(\d+)\]")
WORDS = ["resilient", "steady", "retry", "queue", "replica", "latency", "budget", "quorum", "backoff", "signal",
         "window", "timeout", "drain", "probe", "ledger", "recovery"]


def answer(prompt):
    digest = hashlib.sha256(prompt.encode()).digest()
    words = [WORDS[b % len(WORDS)] for b in digest[:12]]
    return f"Answer ({len(prompt)} chars considered): " + " ".join(words) + "."


async def complete(request):
    try:
        body = await request.json()
    except Exception as exc:  # noqa: BLE001 - any undecodable body is the client's error
        return web.json_response({"error": f"malformed JSON: {exc}"}, status=400)
    prompt = body.get("prompt") if isinstance(body, dict) else None
    if not isinstance(prompt, str) or not prompt:
        return web.json_response({"error": "missing prompt"}, status=400)
    digest = hashlib.sha256(prompt.encode()).digest()
    # The hint counts in the newest user line only, not in the history a continued chat carries.
    newest = next((line for line in reversed(prompt.splitlines()) if line.startswith("user: ")), prompt)
    slow = SLOW_HINT.search(newest)
    if slow:
        await asyncio.sleep(min(int(slow.group(1)), 60_000) / 1000)
    await asyncio.sleep((LATENCY_MS + (digest[0] % (JITTER_MS + 1) if JITTER_MS else 0)) / 1000)
    return web.json_response({"text": answer(prompt), "model": "stand-in-1"})


async def health(_request):
    return web.json_response({"status": "ok"})


def main():
    logging.basicConfig(level=logging.INFO, format="%(asctime)s llm %(levelname)s %(message)s")
    app = web.Application()
    app.add_routes([web.post("/v1/complete", complete), web.get("/health", health)])
    web.run_app(app, host="0.0.0.0", port=int(os.environ.get("PORT", "8082")), print=None, access_log=None)


if __name__ == "__main__":
    main()
