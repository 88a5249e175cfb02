"""One transaction run from the event loop (notice intake's writer).

A plain ``def`` route runs in a worker thread: a hop per request, and a second thread
competing with the event loop for the GIL while it waits for the database (measured on
notice intake: the writer thread's batches cost ~1.8 ms of CPU per notice in the server
against ~1.0 ms alone). On PostgreSQL ``run`` executes the same synchronous service code on
the event loop instead, through SQLAlchemy's asyncio session over psycopg's async
connection (``run_sync``): the loop serves other requests while a statement waits. On
SQLite, which has no async driver here, it runs in a worker thread with a plain session.

Async connections belong to the event loop that opened them, so the engine is made per
loop (a server has one; a test client that is entered twice has two).

Tried for the queue claim too (an async route running ``claim_next`` here): no gain
(one moderator 6.6 -> 7.2 ms, back to back 254 -> 231 claims/s, p99 unchanged at ~110 ms):
a claim is a few sequential statements, and asyncio's per-statement overhead ate what the
thread hop cost. It stays a plain route. Tried again once the claim was one statement
(``moderation/claim_statement.py``) run from an async route on this engine: worse, 186-241
against 343-391 claims/s and 3.9-4.6 against 2.3-2.6 ms of API CPU per claim.

Connections are pinged only after sitting idle (``pool_ping``), as in ``db.make_engine``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from starlette.concurrency import run_in_threadpool

from salingjaga.core.db import Database
from salingjaga.core.pool_ping import ping_when_idle

T = TypeVar("T")


class LoopSessions:
    """Transactions for one app's database, run from its event loop."""

    def __init__(self, db: Database, *, pool_size: int = 4) -> None:
        self._db = db
        self._pool_size = pool_size
        self._loop: asyncio.AbstractEventLoop | None = None
        self._engine: AsyncEngine | None = None

    @property
    def on_loop(self) -> bool:
        """True when the work runs on the event loop (PostgreSQL)."""
        return self._db.dialect == "postgresql"

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """``work(session, *args)`` in one transaction, committed before this returns (rolled
        back if it raises)."""
        if not self.on_loop:
            return await run_in_threadpool(self._run_in_thread, work, *args)
        async with AsyncSession(self._engine_for(asyncio.get_running_loop()), expire_on_commit=False,
                                info={"audit_deferred": self._db.audit_deferred}) as session:
            result = await session.run_sync(work, *args)
            await session.commit()
            return result

    async def run_connection(self, work: Callable[..., T], *args: Any) -> T:
        """``work(connection, *args)`` on a Core connection in one transaction, committed
        before this returns (rolled back if it raises): for writers that need no ORM
        session (reach events)."""
        if not self.on_loop:
            return await run_in_threadpool(self._connection_in_thread, work, *args)
        async with self._engine_for(asyncio.get_running_loop()).begin() as conn:
            return await conn.run_sync(work, *args)

    def _run_in_thread(self, work: Callable[..., T], *args: Any) -> T:
        with self._db.session() as session:
            return work(session, *args)

    def _connection_in_thread(self, work: Callable[..., T], *args: Any) -> T:
        with self._db.engine.begin() as conn:
            return work(conn, *args)

    def _engine_for(self, loop: asyncio.AbstractEventLoop) -> AsyncEngine:
        if self._engine is None or self._loop is not loop:
            self._loop = loop
            self._engine = create_async_engine(self._db.url, pool_size=self._pool_size, max_overflow=self._pool_size)
            ping_when_idle(self._engine.sync_engine)
        return self._engine

    async def aclose(self) -> None:
        """Close the connections (the app's shutdown, on the loop that opened them)."""
        engine, self._engine, self._loop = self._engine, None, None
        if engine is not None:
            await engine.dispose()

