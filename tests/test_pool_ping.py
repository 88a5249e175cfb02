"""Pooled PostgreSQL connections are pinged only after sitting idle (real PostgreSQL)."""

import asyncio
import time

import psycopg
from sqlalchemy import text

from salingjaga.core.db import Database
from salingjaga.core.loop_sessions import LoopSessions
from salingjaga.core.pool_ping import IDLE_SECONDS


def _backend_pid(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(url: str, pid: int) -> None:
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", (pid,))


def _counting_pings(db: Database) -> list[int]:
    """Counts the pings the pool sends (the real ping still runs)."""
    calls: list[int] = []
    dialect = db.engine.dialect
    real = dialect.do_ping

    def ping(dbapi_connection: object) -> bool:
        calls.append(1)
        return real(dbapi_connection)

    dialect.do_ping = ping  # type: ignore[method-assign]
    return calls


def test_a_connection_dropped_while_idle_is_replaced_before_a_request_uses_it(pg_server):
    url = pg_server.create_database("pool_ping_dropped")
    db = Database(url)
    try:
        first = _backend_pid(db)
        _terminate(url, first)  # the server drops the pooled connection (a restart, a proxy timeout)
        time.sleep(IDLE_SECONDS + 0.2)
        pings = _counting_pings(db)
        with db.session() as s:
            assert s.execute(text("SELECT 41 + 1")).scalar_one() == 42
        assert pings == [1]
        assert _backend_pid(db) != first
    finally:
        db.dispose()


def test_a_connection_used_a_moment_ago_is_not_pinged(pg_server):
    url = pg_server.create_database("pool_ping_busy")
    db = Database(url)
    try:
        _backend_pid(db)
        pings = _counting_pings(db)
        for _ in range(20):
            _backend_pid(db)
        assert pings == []
        time.sleep(IDLE_SECONDS + 0.2)
        _backend_pid(db)
        assert pings == [1]
    finally:
        db.dispose()


def test_the_event_loop_engine_replaces_a_connection_dropped_while_idle(pg_server):
    url = pg_server.create_database("pool_ping_loop")
    db = Database(url)
    sessions = LoopSessions(db)

    async def pid() -> int:
        return await sessions.run(lambda s: int(s.execute(text("SELECT pg_backend_pid()")).scalar_one()))

    async def scenario() -> tuple[int, int, int]:
        first = await pid()
        same = await pid()  # used a moment ago: the same connection, no ping needed
        _terminate(url, first)
        await asyncio.sleep(IDLE_SECONDS + 0.2)
        try:
            return first, same, await pid()
        finally:
            await sessions.aclose()

    try:
        first, same, after = asyncio.run(scenario())
        assert same == first and after != first
    finally:
        db.dispose()
