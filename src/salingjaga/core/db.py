"""Engine and sessions: SQLite by default, PostgreSQL by URL.

A ``Database`` object is created per app (or CLI command) and passed around; there is no
module-level engine, so two apps with two databases can live in one process (tests do).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import QueuePool
from sqlalchemy.types import TypeDecorator

from salingjaga.core.db_waits import BACKGROUND_WAIT_SECONDS, WriterGate, wait_budget
from salingjaga.core.pool_ping import ping_when_idle
from salingjaga.core.timeutil import as_utc

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base for every table; all domains share one metadata."""

    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always aware UTC in Python, whatever the backend keeps."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = as_utc(value)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


class JSONType(TypeDecorator[Any]):
    """JSON on SQLite, JSONB on PostgreSQL (compact, indexable); renders as one name in
    migrations."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets readers run beside the single writer; synchronous=FULL keeps a receipt durable.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={int(BACKGROUND_WAIT_SECONDS * 1000)}")
    cur.close()
    # We issue BEGIN ourselves (see make_engine) so the driver must not.
    dbapi_conn.isolation_level = None


class BudgetQueuePool(QueuePool):
    """A pool whose checkout waits as long as the caller's budget (``db_waits``): a request
    gets 503 after a few seconds, background work waits longer. The fixed ``timeout`` that
    ``QueuePool`` would keep is replaced by the budget read at each checkout."""

    @property
    def _timeout(self) -> float:
        return wait_budget()

    @_timeout.setter
    def _timeout(self, _value: float) -> None:
        pass


_GATES: dict[str, WriterGate] = {}
_GATES_LOCK = threading.Lock()


def writer_gate(url: str) -> WriterGate:
    """The one gate for a SQLite file in this process, shared by every engine on it."""
    path = url.split("///", 1)[-1]
    key = path if ":memory:" in path else str(Path(path).resolve())
    with _GATES_LOCK:
        return _GATES.setdefault(key, WriterGate())


def _install_sqlite_gate(engine: Engine, gate: WriterGate) -> None:
    """Transactions take ``gate`` before ``BEGIN IMMEDIATE`` and give it back once their
    COMMIT or ROLLBACK has run (or the connection closed), whichever path ends them."""

    def begin(conn: Any) -> None:
        dbapi_conn = conn.connection.dbapi_connection
        gate.acquire(dbapi_conn)
        try:
            # Another process may hold the writer: wait for it as long as this caller may.
            budget_ms = int(wait_budget() * 1000)
            if conn.info.get("busy_timeout_ms") != budget_ms:
                conn.exec_driver_sql(f"PRAGMA busy_timeout={budget_ms}")
                conn.info["busy_timeout_ms"] = budget_ms
            # BEGIN IMMEDIATE takes the write lock up front: two writers never deadlock
            # upgrading a read lock, and the audit chain's read-then-append is serialised.
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            gate.release(dbapi_conn)
            raise

    event.listen(engine, "begin", begin)
    dialect = engine.dialect
    for name in ("do_commit", "do_rollback", "do_close", "do_terminate"):
        original = getattr(dialect, name)

        def ended(dbapi_conn: Any, _original: Any = original) -> None:
            try:
                _original(dbapi_conn)
            finally:
                # The pool hands over its proxy or the raw connection; the gate knows the raw.
                gate.release(getattr(dbapi_conn, "dbapi_connection", None) or dbapi_conn)

        setattr(dialect, name, ended)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with the settings each backend needs."""
    if url.startswith("sqlite"):
        if ":memory:" not in url and "poolclass" not in kwargs:
            # Connections are cheap here; the writer gate, not the pool, orders the work. The
            # pool is larger than the thread pool so a request never waits for a connection.
            kwargs.update(poolclass=BudgetQueuePool, pool_size=kwargs.get("pool_size", 20),
                          max_overflow=kwargs.get("max_overflow", 40))
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": BACKGROUND_WAIT_SECONDS}, **kwargs
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        _install_sqlite_gate(engine, writer_gate(url))
        return engine
    pooled = "poolclass" not in kwargs
    if pooled:
        kwargs.setdefault("pool_size", 20)
        kwargs.setdefault("max_overflow", 20)
        kwargs["poolclass"] = BudgetQueuePool
    engine = create_engine(url, **kwargs)
    if pooled and not kwargs.get("pool_pre_ping"):
        ping_when_idle(engine)  # pinged on checkout only after sitting idle, not every time
    return engine


def _track_checkouts(engine: Engine, out: dict[int, float]) -> None:
    """Keep, per connection checked out of ``engine``'s pool, when it was taken."""

    def checkout(_dbapi: Any, record: Any, _proxy: Any) -> None:
        out[id(record)] = time.monotonic()

    def checkin(_dbapi: Any, record: Any) -> None:
        out.pop(id(record), None)

    event.listen(engine, "checkout", checkout)
    event.listen(engine, "checkin", checkin)


class Database:
    """An engine plus a session factory; one per app or command."""

    def __init__(self, url: str, *, audit_deferred: bool = False, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        # Sessions carry the audit mode so ``audit.service.record`` needs no settings.
        self.audit_deferred = audit_deferred
        self.sessionmaker = sessionmaker(
            self.engine, expire_on_commit=False, info={"audit_deferred": audit_deferred}
        )
        # PostgreSQL connections that prepare each statement on first use and keep one generic
        # plan for it (plan_cache_mode = force_generic_plan), for hot statements whose plan does
        # not depend on their values; ``engine`` itself on SQLite. psycopg prepares a statement
        # after five runs, but PostgreSQL still plans a prepared statement afresh on every run
        # while a plan for the actual values looks cheaper than the generic one; for the queue
        # claim it always does (its estimate for expired leases is a third of the table, when
        # there are none), and planning was half of the claim's time in PostgreSQL (~0.5 of
        # ~1.0 ms). Only statements whose generic plan was checked belong here. A small pool of
        # its own, made here: an engine opens no connection until one is asked for.
        self.generic_plan_engine = self.engine if self.engine.dialect.name != "postgresql" else make_engine(
            url, pool_size=8, max_overflow=8,
            connect_args={"prepare_threshold": 0, "options": "-c plan_cache_mode=force_generic_plan"})

        self._checked_out: dict[int, float] = {}
        _track_checkouts(self.engine, self._checked_out)
        self.gate = writer_gate(url) if self.dialect == "sqlite" else None

    def health(self, stuck_after: float = 30.0) -> dict[str, Any]:
        """The pool's (and on SQLite the writer gate's) state, read from memory: how many
        connections are out, for how long the oldest has been, and whether the database
        looks stuck (every connection out, or the writer held, for ``stuck_after`` seconds)."""
        pool = self.engine.pool
        now = time.monotonic()
        oldest = now - min(self._checked_out.values(), default=now)
        out: dict[str, Any] = {"checked_out": len(self._checked_out), "oldest_checkout_seconds": round(oldest, 3)}
        if isinstance(pool, QueuePool):
            capacity = pool.size() + max(pool._max_overflow, 0)
            out["capacity"] = capacity
            stuck = len(self._checked_out) >= capacity and oldest >= stuck_after
        else:
            stuck = False
        if self.gate is not None:
            gate = self.gate.state()
            out["writer"] = gate
            stuck = stuck or float(gate["held_seconds"]) >= stuck_after
        out["stuck"] = stuck
        return out

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: commit on success, roll back on any exception."""
        session = self.sessionmaker()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
        if self.generic_plan_engine is not self.engine:
            self.generic_plan_engine.dispose()
