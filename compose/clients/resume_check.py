#!/usr/bin/env python3
"""WebSocket drop mid-run, then `resume`: every event the client missed arrives exactly once, in
order (no gap, no duplicate), and the run still ends in agent_completed (or, with --allow-error, a
clear error)."""
import argparse
import asyncio

from stackclient import ScenarioFailure, Session, main, new_id, start_agent, token

parser = argparse.ArgumentParser()
parser.add_argument("--user", default="probe")
parser.add_argument("--deadline", type=float, default=20)
parser.add_argument("--allow-error", action="store_true")
args = parser.parse_args()


async def scenario():
    chat_id, run_id = new_id("chat"), new_id("run")
    jwt = token(args.user)
    session = await Session(args.user, jwt).connect()
    # The model is slowed for this run so the drop lands mid-run.
    await session.send(start_agent(chat_id, run_id, "Search for event replay and compute 2 + 2. [slow:1200]"))
    while True:
        event = await session.receive(args.deadline)
        if event.get("type") == "tool_completed":
            break
        if event.get("type") in ("agent_completed", "error"):
            raise ScenarioFailure(f"run ended before the drop: {event.get('type')} {event.get('message', '')}")
    seen_before = session.last_seq[chat_id]
    await session.ws.close()
    await asyncio.sleep(0.3)  # events go on being produced while the client is away
    fresh = await Session(args.user, jwt).connect()
    fresh.last_seq = dict(session.last_seq)
    await fresh.send({"type": "resume", "chat_id": chat_id, "last_seq": seen_before})
    end = await fresh.until_terminal(run_id, args.deadline)
    replayed = [e for e in fresh.events if e.get("chat_id") == chat_id and "seq" in e]
    await fresh.close()
    if not replayed or replayed[0]["seq"] != seen_before + 1:
        raise ScenarioFailure(f"resume from seq {seen_before} started at {replayed[0]['seq'] if replayed else 'nothing'}")
    if end["type"] == "error" and not args.allow_error:
        raise ScenarioFailure(f"run ended in error after resume: {end.get('message')}")
    return f"dropped after seq {seen_before}, resumed {len(replayed)} events exactly once through {end['type']}"


main(scenario)
