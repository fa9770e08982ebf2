#!/usr/bin/env python3
"""One agent run from start to end: agent_started … agent_completed in order, or a clear error.
--resume: when the connection drops mid-run (a backend restart), reconnect and resume the chat until
the run ends. --require-completion: a clear error counts as a failure too."""
import argparse
import asyncio

import websockets

from stackclient import ScenarioFailure, Session, main, new_id, start_agent, token

parser = argparse.ArgumentParser()
parser.add_argument("--user", default="probe")
parser.add_argument("--deadline", type=float, default=20)
parser.add_argument("--resume", action="store_true")
parser.add_argument("--require-completion", action="store_true")
parser.add_argument("--request", default="What is 6 * 7? Tell me about retries with backoff.")
args = parser.parse_args()


async def scenario():
    loop = asyncio.get_running_loop()
    deadline = loop.time() + args.deadline
    chat_id, run_id = new_id("chat"), new_id("run")
    session = await Session(args.user, token(args.user)).connect()
    await session.send(start_agent(chat_id, run_id, args.request))
    reconnects = 0
    while True:
        try:
            end = await session.until_terminal(run_id, max(0.1, deadline - loop.time()))
            break
        except websockets.exceptions.ConnectionClosed:
            if not args.resume:
                raise ScenarioFailure(f"connection closed mid-run {run_id} without an error event")
            while True:
                if loop.time() > deadline:
                    raise ScenarioFailure(f"could not reconnect to resume run {run_id} within {args.deadline:g}s")
                try:
                    session.ws = None
                    fresh = await Session(args.user, session.token).connect(timeout=2)
                    fresh.last_seq = session.last_seq
                    session = fresh
                    break
                except (OSError, ScenarioFailure, websockets.exceptions.WebSocketException, asyncio.TimeoutError):
                    await asyncio.sleep(0.2)
            reconnects += 1
            await session.send({"type": "resume", "chat_id": chat_id, "last_seq": session.last_seq.get(chat_id, 0)})
    await session.close()
    if end["type"] == "error":
        if args.require_completion:
            raise ScenarioFailure(f"run {run_id} ended in error: {end.get('message')}")
        if not end.get("message"):
            raise ScenarioFailure(f"run {run_id} ended in an error without a message")
        return f"run ended in a clear error after {reconnects} reconnect(s): {end['message']}"
    types = [e["type"] for e in session.events if e.get("run_id") == run_id]
    if "agent_started" not in types and reconnects == 0:
        raise ScenarioFailure(f"run {run_id} completed without agent_started: {types}")
    return f"run completed after {reconnects} reconnect(s), {len(types)} events"


main(scenario)
