#!/usr/bin/env python3
"""Many concurrent runs: every run ends in agent_completed or a clear error (none lost, none hung),
and admission control refuses some with `rate_limited` errors instead of letting everything slow down."""
import argparse
import asyncio

from stackclient import ScenarioFailure, Session, main, new_id, start_agent, token

parser = argparse.ArgumentParser()
parser.add_argument("--users", type=int, default=10)
parser.add_argument("--runs", type=int, default=24, help="concurrent runs per user")
parser.add_argument("--deadline", type=float, default=45)
parser.add_argument("--expect-rate-limited", action="store_true")
args = parser.parse_args()


async def user_load(number):
    user = f"user{number}"
    session = await Session(user, token(user)).connect()
    runs = set()
    for _ in range(args.runs):
        run_id = new_id("run")
        runs.add(run_id)
        await session.send(start_agent(new_id(f"chat-{user}"), run_id, f"{user}: 12 * 12, and search for rate limiting"))
    ends = {}
    while len(ends) < len(runs):
        event = await session.receive(args.deadline)
        if event.get("type") in ("agent_completed", "error") and event.get("run_id") in runs:
            if event["type"] == "error" and not event.get("message"):
                raise ScenarioFailure(f"{user}: error without a message")
            ends[event["run_id"]] = event.get("code", "completed")
    await session.close()
    return ends


async def scenario():
    results = await asyncio.gather(*(user_load(n) for n in range(1, args.users + 1)))
    codes = [code for ends in results for code in ends.values()]
    limited = codes.count("rate_limited")
    others = {code for code in codes if code not in ("completed", "rate_limited")}
    if args.expect_rate_limited and limited == 0:
        raise ScenarioFailure(f"{len(codes)} concurrent runs and none was rate limited")
    return (f"{len(codes)} runs, none lost: {codes.count('completed')} completed, {limited} rate limited"
            + (f", other clear errors: {sorted(others)}" if others else ""))


main(scenario)
