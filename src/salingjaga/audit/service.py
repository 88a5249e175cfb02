"""Appending to and verifying the audit log.

Appends are serialised (an advisory lock on PostgreSQL, the single writer on SQLite) so the
chain has one order; the lock is held only until the caller's transaction commits.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from salingjaga.audit.chain import GENESIS, ChainReport, ChainRow, event_hash, verify_rows
from salingjaga.audit.models import AuditEvent
from salingjaga.timeutil import utcnow

if TYPE_CHECKING:
    from salingjaga.auth.principal import Principal

_LOCK_KEY = 7_240_214  # arbitrary constant naming the audit chain's advisory lock


def record(
    session: Session,
    actor: Principal | str,
    action: str,
    entity_type: str,
    entity_id: str,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction."""
    actor_name = actor if isinstance(actor, str) else actor.actor
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    last = session.execute(
        select(AuditEvent.position, AuditEvent.hash).order_by(AuditEvent.position.desc()).limit(1)
    ).first()
    position = (last[0] + 1) if last else 1
    prev = last[1] if last else GENESIS
    at = utcnow().replace(microsecond=0)
    payload = data or {}
    event = AuditEvent(
        position=position,
        at=at,
        actor=actor_name,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        data=payload,
        prev_hash=prev,
        hash=event_hash(prev, position, at, actor_name, action, entity_type, entity_id, payload),
    )
    session.add(event)
    session.flush()
    return event


def _rows(session: Session, batch: int = 5000) -> Iterator[ChainRow]:
    last = 0
    while True:
        events = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.position > last)
            .order_by(AuditEvent.position)
            .limit(batch)
        ).all()
        if not events:
            return
        for e in events:
            yield ChainRow(
                e.position, e.at, e.actor, e.action, e.entity_type, e.entity_id,
                e.data, e.prev_hash, e.hash,
            )
        last = events[-1].position


def verify(session: Session) -> ChainReport:
    """Check the whole chain; names the first bad entry if any row was altered or removed."""
    return verify_rows(_rows(session))


def events_for(session: Session, entity_type: str, entity_id: str) -> list[AuditEvent]:
    """The events about one entity, oldest first."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id)
            .order_by(AuditEvent.position)
        )
    )
