#!/usr/bin/env python3
"""Malformed and unauthenticated input: each gets a clear error event, and a connection that sent
garbage stays open and keeps answering."""
import argparse
import asyncio
import json
import os

import websockets

from stackclient import WS_URL, ScenarioFailure, Session, main, token

parser = argparse.ArgumentParser()
parser.add_argument("--user", default="probe")
args = parser.parse_args()


async def refused(headers, expect_code):
    async with websockets.connect(WS_URL, extra_headers=headers, open_timeout=5, close_timeout=1) as ws:
        event = json.loads(await asyncio.wait_for(ws.recv(), 5))
        if event.get("type") != "error" or event.get("code") not in expect_code or not event.get("message"):
            raise ScenarioFailure(f"expected an error {expect_code}, got {event}")
        return event["message"]


async def scenario():
    no_token = await refused({}, ("unauthorized",))
    bad_token = await refused({"Authorization": "Bearer not-a-jwt"}, ("unauthorized", "auth_unavailable"))
    session = await Session(args.user, token(args.user)).connect()
    cases = [
        ("{not json", "malformed JSON"),
        ('"a string"', "expected a JSON object"),
        ('{"type": "launch_rocket"}', "unknown message type"),
        ('{"type": "start_agent", "agent_name": "assistant"}', "missing or empty field"),
        ('{"type": "resume", "chat_id": "x", "last_seq": -1}', "last_seq"),
    ]
    for text, expected in cases:
        await session.ws.send(text)
        event = await session.receive(5)
        if event.get("type") != "error" or expected not in event.get("message", ""):
            raise ScenarioFailure(f"sent {text!r}: expected an error saying {expected!r}, got {event}")
    await session.send({"type": "ping", "id": os.getpid()})
    pong = await session.receive(5)
    if pong.get("type") != "pong":
        raise ScenarioFailure(f"connection not usable after bad input: {pong}")
    await session.close()
    return f"{len(cases) + 2} bad inputs refused clearly (no token: {no_token!r}; bad token: {bad_token!r}), connection stayed open"


main(scenario)
