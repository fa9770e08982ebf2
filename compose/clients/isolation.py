#!/usr/bin/env python3
"""Concurrent users, each with its own chats: no event ever reaches another user's connection,
another user's chat cannot be resumed, and every run ends in agent_completed or a clear error."""
import argparse
import asyncio

from stackclient import ScenarioFailure, Session, main, new_id, start_agent, token

parser = argparse.ArgumentParser()
parser.add_argument("--users", type=int, default=5)
parser.add_argument("--runs", type=int, default=2, help="runs per user, concurrently")
parser.add_argument("--deadline", type=float, default=30)
args = parser.parse_args()


async def user_session(number, chats):
    user = f"user{number}"
    session = await Session(user, token(user)).connect()
    runs = []
    for _ in range(args.runs):
        chat_id, run_id = new_id(f"chat-{user}"), new_id("run")
        chats[user] = chat_id
        runs.append(run_id)
        await session.send(start_agent(chat_id, run_id, f"{user} asks: what is {number} * 3?"))
    ends = {}
    while len(ends) < len(runs):
        event = await session.receive(args.deadline)  # Session.check fails on any foreign event
        if event.get("type") in ("agent_completed", "error") and event.get("run_id") in runs:
            if event["type"] == "error" and not event.get("message"):
                raise ScenarioFailure(f"{user}: error without a message")
            ends[event["run_id"]] = event["type"]
    return user, session, ends


async def scenario():
    chats = {}
    results = await asyncio.gather(*(user_session(n, chats) for n in range(1, args.users + 1)))
    # Cross-user resume must be refused with a clear error and deliver nothing.
    users = [user for user, _, _ in results]
    for index, (user, session, _) in enumerate(results):
        other = users[(index + 1) % len(users)]
        if other == user:
            continue
        await session.send({"type": "resume", "chat_id": chats[other], "last_seq": 0})
        answer = await session.receive(5)
        while answer.get("type") not in ("error", "resumed"):
            answer = await session.receive(5)
        if answer.get("type") != "error" or answer.get("code") != "chat_not_found":
            raise ScenarioFailure(f"{user} could resume {other}'s chat: {answer}")
    for _, session, _ in results:
        await session.close()
    completed = sum(1 for _, _, ends in results for kind in ends.values() if kind == "agent_completed")
    total = sum(len(ends) for _, _, ends in results)
    return f"{args.users} users, {total} runs ended ({completed} completed, {total - completed} clear errors), zero cross-user events"


main(scenario)
