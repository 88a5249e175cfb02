"""The audit event table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from salingjaga.core.db import Base, JSONType, UTCDateTime

# BIGINT on PostgreSQL, but SQLite needs INTEGER for its rowid primary key.
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")


class AuditEvent(Base):
    """One event. ``position`` is contiguous and ``hash`` covers the previous hash, so an
    altered or removed row breaks the chain at a point ``verify`` can name."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_entity", "entity_type", "entity_id"),
        Index("ix_audit_at", "at"),
    )

    position: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(80), index=True)
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(80))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class PendingAuditEvent(Base):
    """An event written by a request in deferred mode, waiting to be chained.

    With many API processes, chaining inside each request makes every write transaction
    queue on one lock until it commits. In deferred mode a request only inserts here (no
    lock); the chainer moves rows into ``audit_events`` in id order under the lock, in its
    own short transaction.
    """

    __tablename__ = "audit_pending"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(80))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(80))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
