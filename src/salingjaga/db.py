"""Engine and sessions: SQLite by default, PostgreSQL by URL.

A ``Database`` object is created per app (or CLI command) and passed around; there is no
module-level engine, so two apps with two databases can live in one process (tests do).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from salingjaga.pool_ping import ping_when_idle
from salingjaga.timeutil import as_utc

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
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()
    # We issue BEGIN ourselves (see make_engine) so the driver must not.
    dbapi_conn.isolation_level = None


def _sqlite_begin(conn: Any) -> None:
    # BEGIN IMMEDIATE takes the write lock up front: two writers never deadlock upgrading a
    # read lock, and the audit chain's read-then-append is serialised.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with the settings each backend needs."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    pooled = "poolclass" not in kwargs
    if pooled:
        kwargs.setdefault("pool_size", 20)
        kwargs.setdefault("max_overflow", 20)
    engine = create_engine(url, **kwargs)
    if pooled and not kwargs.get("pool_pre_ping"):
        ping_when_idle(engine)  # pinged on checkout only after sitting idle, not every time
    return engine


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
