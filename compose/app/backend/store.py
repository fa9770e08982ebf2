"""Persistence in PostgreSQL: conversations, messages, agent runs, tool executions, state snapshots.

Every write that belongs to one step is one transaction, so a run that fails half-way leaves no
partial rows: a run's tool executions and its answer are written together with its completion.
"""
import json

import asyncpg

from .errors import RequestError

SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id text PRIMARY KEY,
    user_id text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS agent_runs (
    id text PRIMARY KEY,
    conversation_id text NOT NULL REFERENCES conversations(id),
    user_id text NOT NULL,
    agent_name text NOT NULL,
    request text NOT NULL,
    status text NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'interrupted')),
    started_at timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz,
    error_message text
);
CREATE TABLE IF NOT EXISTS messages (
    id bigserial PRIMARY KEY,
    conversation_id text NOT NULL REFERENCES conversations(id),
    run_id text NOT NULL REFERENCES agent_runs(id),
    role text NOT NULL CHECK (role IN ('user', 'assistant')),
    content text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS tool_executions (
    id bigserial PRIMARY KEY,
    run_id text NOT NULL REFERENCES agent_runs(id),
    tool_name text NOT NULL,
    params jsonb NOT NULL,
    result jsonb NOT NULL,
    duration_ms double precision NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS agent_state_snapshots (
    id bigserial PRIMARY KEY,
    run_id text NOT NULL REFERENCES agent_runs(id),
    step text NOT NULL,
    state jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
-- Which backend process runs a run, and which processes are alive (backend/lease.py).
ALTER TABLE agent_runs ADD COLUMN IF NOT EXISTS owner text;
CREATE TABLE IF NOT EXISTS backend_instances (
    id text PRIMARY KEY,
    seen_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_conversation ON messages (conversation_id, id);
CREATE INDEX IF NOT EXISTS runs_status ON agent_runs (status);
-- The partial-rows check looks up each run's messages and tool executions: without these it
-- scanned both tables once per run and took 0.5 s at 3,000 runs (the campaign gate reaches that).
CREATE INDEX IF NOT EXISTS messages_run ON messages (run_id, role);
CREATE INDEX IF NOT EXISTS tool_executions_run ON tool_executions (run_id);
"""

# Rows that a half-done run would leave: 0 when every run is all-or-nothing.
PARTIAL_ROWS_QUERY = """
SELECT count(*) FROM agent_runs r
WHERE (r.status = 'completed' AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.run_id = r.id AND m.role = 'assistant'))
   OR (r.status <> 'completed' AND (EXISTS (SELECT 1 FROM tool_executions t WHERE t.run_id = r.id)
                                 OR EXISTS (SELECT 1 FROM messages m WHERE m.run_id = r.id AND m.role = 'assistant')))
"""


class Store:
    def __init__(self, dsn, instance):
        self.dsn = dsn
        self.instance = instance  # this process's lease id: the owner of the runs it begins
        self.pool = None

    async def open(self):
        self.pool = await asyncpg.create_pool(self.dsn, min_size=0, max_size=16, max_inactive_connection_lifetime=60)

    async def close(self):
        if self.pool is not None:
            self.pool.terminate()

    async def _with_connection(self, body):
        """Runs body(conn); a connection that failed or was cancelled mid-call is dropped, never reused."""
        conn = await self.pool.acquire()
        try:
            result = await body(conn)
        except BaseException:
            conn.terminate()
            await self.pool.release(conn)
            raise
        await self.pool.release(conn)
        return result

    async def migrate(self):
        await self._with_connection(lambda conn: conn.execute(SCHEMA))

    async def ping(self):
        await self._with_connection(lambda conn: conn.fetchval("SELECT 1"))

    async def refresh_lease(self, instance):
        await self._with_connection(lambda conn: conn.execute(
            "INSERT INTO backend_instances (id, seen_at) VALUES ($1, now()) "
            "ON CONFLICT (id) DO UPDATE SET seen_at = now()", instance))

    async def drop_lease(self, instance):
        await self._with_connection(lambda conn: conn.execute("DELETE FROM backend_instances WHERE id = $1", instance))

    async def interrupt_orphaned_runs(self, instance, stale_seconds):
        """Marks interrupted the running runs whose owner is neither `instance` nor a process with a
        lease fresher than `stale_seconds` (by the database's clock); returns them as (run_id, chat_id,
        user_id). Each row goes to one caller only, however many replicas sweep at once."""
        async def body(conn):
            async with conn.transaction():
                await conn.execute("DELETE FROM backend_instances WHERE seen_at < now() - interval '1 hour'")
                rows = await conn.fetch(
                    "UPDATE agent_runs SET status = 'interrupted', completed_at = now(), "
                    "error_message = 'interrupted: the backend serving the run stopped while it was in progress' "
                    "WHERE status = 'running' AND owner IS DISTINCT FROM $1 AND (owner IS NULL OR owner NOT IN "
                    "(SELECT id FROM backend_instances WHERE seen_at > now() - make_interval(secs => $2))) "
                    "RETURNING id, conversation_id, user_id", instance, float(stale_seconds))
            return [(row["id"], row["conversation_id"], row["user_id"]) for row in rows]
        return await self._with_connection(body)

    async def begin_run(self, *, user_id, chat_id, run_id, agent_name, request, retry=False):
        """Records a new run. On a retry, a row this run's earlier attempt committed (its acknowledgement
        lost with the connection) counts as recorded; any other row with this id is a reused run_id."""
        async def body(conn):
            async with conn.transaction():
                owner = await conn.fetchval("SELECT user_id FROM conversations WHERE id = $1", chat_id)
                if owner is None:
                    await conn.execute("INSERT INTO conversations (id, user_id) VALUES ($1, $2)", chat_id, user_id)
                elif owner != user_id:
                    raise RequestError("chat_not_found", f"chat {chat_id!r} does not exist for this user")
                existing = await conn.fetchrow(
                    "SELECT conversation_id, user_id, agent_name, request, status FROM agent_runs WHERE id = $1", run_id)
                if existing is not None:
                    if retry and (existing["conversation_id"], existing["user_id"], existing["agent_name"],
                                  existing["request"], existing["status"]) == (chat_id, user_id, agent_name, request, "running"):
                        return
                    raise RequestError("duplicate_run", f"run_id {run_id!r} was already used")
                await conn.execute(
                    "INSERT INTO agent_runs (id, conversation_id, user_id, agent_name, request, status, owner) "
                    "VALUES ($1, $2, $3, $4, $5, 'running', $6)", run_id, chat_id, user_id, agent_name, request, self.instance)
                await conn.execute("INSERT INTO messages (conversation_id, run_id, role, content) VALUES ($1, $2, 'user', $3)",
                                   chat_id, run_id, request)
                await conn.execute("INSERT INTO agent_state_snapshots (run_id, step, state) VALUES ($1, 'started', $2)",
                                   run_id, json.dumps({"agent_name": agent_name, "request": request}))
        await self._with_connection(body)

    async def chat_owner(self, chat_id):
        return await self._with_connection(lambda conn: conn.fetchval("SELECT user_id FROM conversations WHERE id = $1", chat_id))

    async def user_history(self, user_id, limit=5):
        async def body(conn):
            rows = await conn.fetch(
                "SELECT m.content FROM messages m JOIN conversations c ON c.id = m.conversation_id "
                "WHERE c.user_id = $1 AND m.role = 'user' ORDER BY m.id DESC LIMIT $2", user_id, limit)
            return [row["content"] for row in rows]
        return await self._with_connection(body)

    async def chat_context(self, chat_id, limit=6):
        async def body(conn):
            rows = await conn.fetch("SELECT role, content FROM messages WHERE conversation_id = $1 ORDER BY id DESC LIMIT $2",
                                    chat_id, limit)
            return [f"{row['role']}: {row['content']}" for row in reversed(rows)]
        return await self._with_connection(body)

    async def finish_run(self, *, run_id, chat_id, response, tools, state):
        async def body(conn):
            async with conn.transaction():
                for tool in tools:
                    await conn.execute(
                        "INSERT INTO tool_executions (run_id, tool_name, params, result, duration_ms) VALUES ($1, $2, $3, $4, $5)",
                        run_id, tool["tool_name"], json.dumps(tool["params"]), json.dumps(tool["result"]), tool["duration_ms"])
                await conn.execute("INSERT INTO messages (conversation_id, run_id, role, content) VALUES ($1, $2, 'assistant', $3)",
                                   chat_id, run_id, response)
                await conn.execute("INSERT INTO agent_state_snapshots (run_id, step, state) VALUES ($1, 'completed', $2)",
                                   run_id, json.dumps(state))
                updated = await conn.execute(
                    "UPDATE agent_runs SET status = 'completed', completed_at = now() WHERE id = $1 AND status = 'running'", run_id)
                if updated != "UPDATE 1":
                    raise RequestError("run_interrupted", f"run {run_id!r} is no longer running (marked interrupted)")
        await self._with_connection(body)

    async def fail_run(self, run_id, message):
        await self._with_connection(lambda conn: conn.execute(
            "UPDATE agent_runs SET status = 'failed', completed_at = now(), error_message = $2 WHERE id = $1 AND status = 'running'",
            run_id, message[:500]))
