#!/usr/bin/env python3
"""One agent run from start to end: agent_started … agent_completed in order, or a clear error.
--resume: when the backend is unreachable or the connection drops mid-run (a restart), reconnect
(and resume the chat) until the run ends. --require-completion: a clear error counts as a failure
too. --request-padding N: a request N random characters longer (it needs new pages in the
database, so a full disk there shows). --continue: afterwards the same chat must go on — a `user_message` there completes (retried
once more if a restart interrupts it): the conversation survives whatever ended the run.
--parallel N: N such runs at once, each in its own chat and connection (behind a balancer they
spread over the replicas), started --stagger seconds apart; every one must hold. --dedupe: the
client drops an event whose sequence number it has shown already (and says how many), instead of
failing on it; --expect-duplicates: and at least one must have come. --expect-reconnect: the run
must have needed a reconnect (the connection was closed under it)."""
import argparse
import asyncio
import secrets

import websockets
import websockets.exceptions

from stackclient import ScenarioFailure, Session, main, new_id, start_agent, token

parser = argparse.ArgumentParser()
parser.add_argument("--user", default="probe")
parser.add_argument("--deadline", type=float, default=20)
parser.add_argument("--resume", action="store_true")
parser.add_argument("--require-completion", action="store_true")
parser.add_argument("--request", default="What is 6 * 7? Tell me about retries with backoff.")
parser.add_argument("--request-padding", type=int, default=0,
                    help="append this many random hex characters to the request (a run that needs new space in the database)")
parser.add_argument("--continue", dest="continue_chat", action="store_true")
parser.add_argument("--parallel", type=int, default=1, help="runs at once, each in its own chat")
parser.add_argument("--stagger", type=float, default=0, help="seconds between the parallel runs' starts")
parser.add_argument("--connect-timeout", type=float, default=10, help="per attempt; lost SYNs are retried after 1, 2, 4 s")
parser.add_argument("--dedupe", action="store_true", help="drop events whose sequence number was shown already")
parser.add_argument("--expect-duplicates", action="store_true", help="with --dedupe: fail unless at least one was dropped")
parser.add_argument("--expect-reconnect", action="store_true", help="with --resume: fail unless the run needed at least one reconnect")
args = parser.parse_args()
if args.request_padding:
    args.request += " " + secrets.token_hex((args.request_padding + 1) // 2)[:args.request_padding]
RETRYABLE = (OSError, ScenarioFailure, websockets.exceptions.WebSocketException, asyncio.TimeoutError)


class Client:
    """A session that, with --resume, reconnects and resumes its chat when the backend goes away."""

    def __init__(self, jwt, chat_id, deadline):
        self.jwt, self.chat_id, self.deadline = jwt, chat_id, deadline
        self.session = None
        self.reconnects = 0
        self.last_seq = {}
        self.dropped = 0  # duplicates dropped by earlier sessions

    def remaining(self):
        return self.deadline - asyncio.get_running_loop().time()

    async def connect(self):
        while True:
            try:
                if self.session is not None:
                    self.dropped += self.session.duplicates
                self.session = await Session(args.user, self.jwt).connect(timeout=min(args.connect_timeout, max(1.0, self.remaining())))
                self.session.last_seq = self.last_seq
                self.session.dedupe = args.dedupe
                return
            except RETRYABLE:
                if not args.resume or self.remaining() <= 0:
                    raise
                await asyncio.sleep(0.2)

    async def run(self, message, run_id):
        """Sends `message` and follows run `run_id` to its end event, across reconnects."""
        if self.session is None:
            await self.connect()
        await self.session.send(message)
        while True:
            try:
                return await self.session.until_terminal(run_id, max(0.1, self.remaining()))
            except websockets.exceptions.ConnectionClosed:
                if not args.resume:
                    raise ScenarioFailure(f"connection closed mid-run {run_id} without an error event") from None
                try:
                    await self.connect()
                except RETRYABLE:
                    raise ScenarioFailure(f"could not reconnect to resume run {run_id} within {args.deadline:g}s") from None
                self.reconnects += 1
                await self.session.send({"type": "resume", "chat_id": self.chat_id, "last_seq": self.last_seq.get(self.chat_id, 0)})


async def one_run(delay=0.0):
    await asyncio.sleep(delay)
    loop = asyncio.get_running_loop()
    chat_id, run_id = new_id("chat"), new_id("run")
    client = Client(token(args.user), chat_id, loop.time() + args.deadline)
    end = await client.run(start_agent(chat_id, run_id, args.request), run_id)
    if end["type"] == "error":
        if args.require_completion:
            raise ScenarioFailure(f"run {run_id} ended in error: {end.get('message')}")
        if not end.get("message"):
            raise ScenarioFailure(f"run {run_id} ended in an error without a message")
        outcome = f"run ended in a clear error after {client.reconnects} reconnect(s): {end['message']}"
    else:
        outcome = f"run completed after {client.reconnects} reconnect(s)"
    # A replica that stops between taking start_agent and recording the run leaves no chat: the
    # resume elsewhere answers chat_not_found. That is a clear error; the client then starts the
    # chat again, since there is nothing to continue.
    never_recorded = end["type"] == "error" and end.get("code") == "chat_not_found" and client.reconnects > 0
    if never_recorded:
        outcome += " (the run was never recorded: its replica stopped first; the chat starts anew)"
    if args.continue_chat:
        for attempt in (1, 2):
            follow_up = new_id("run")
            message = "And what did I ask before?"
            after = await client.run(start_agent(chat_id, follow_up, message) if never_recorded else
                                     {"type": "user_message", "chat_id": chat_id, "message": message, "run_id": follow_up},
                                     follow_up)
            if after["type"] == "agent_completed":
                outcome += "; the conversation continued"
                break
            if after.get("code") != "run_interrupted" or attempt == 2:
                raise ScenarioFailure(f"the conversation did not continue: {after.get('message')}")
    await client.session.close()
    if args.expect_reconnect and client.reconnects == 0:
        raise ScenarioFailure(f"run {run_id} needed no reconnect (expected its connection to close under it)")
    if args.dedupe:
        dropped = client.dropped + client.session.duplicates
        if args.expect_duplicates and dropped == 0:
            raise ScenarioFailure(f"run {run_id}: no duplicate event came (expected some to drop)")
        outcome += f", {dropped} duplicate(s) dropped"
    return outcome


async def scenario():
    if args.parallel <= 1:
        return await one_run()
    outcomes = await asyncio.gather(*(one_run(index * args.stagger) for index in range(args.parallel)), return_exceptions=True)
    failures = [f"run {index + 1}: {outcome}" for index, outcome in enumerate(outcomes) if isinstance(outcome, BaseException)]
    if failures:
        raise ScenarioFailure(f"{len(failures)} of {args.parallel} runs failed: " + "; ".join(failures))
    interrupted = sum("clear error" in outcome for outcome in outcomes)
    reconnected = sum("after 0 reconnect" not in outcome for outcome in outcomes)
    return (f"{args.parallel} runs held: {args.parallel - interrupted} completed, {interrupted} ended in a clear error, "
            f"{reconnected} reconnected and resumed" + ("; every conversation continued" if args.continue_chat else ""))


main(scenario)
