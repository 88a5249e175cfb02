"""Appending to and verifying the audit log.

Appends are serialised (an advisory lock on PostgreSQL, the single writer on SQLite) so the
chain has one order. By default the event is chained inside the caller's transaction and
the lock is held until it commits: simple and immediate, right for one server. In deferred
mode (``SALINGJAGA_AUDIT_DEFERRED=true``, for clusters on PostgreSQL) a request only inserts
into ``audit_pending`` and ``chain_pending`` moves rows into the chain under the lock in its
own short transaction, so write transactions do not queue behind each other.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol, cast

from sqlalchemy import Table, delete, select, text
from sqlalchemy.orm import Session

from salingjaga.audit.chain import GENESIS, ChainReport, ChainRow, event_hash, verify_rows
from salingjaga.audit.models import AuditEvent, PendingAuditEvent
from salingjaga.audit.queued import hold, write_held
from salingjaga.core.bulk import insert_rows
from salingjaga.core.db_waits import advisory_xact_lock
from salingjaga.core.timeutil import utcnow

if TYPE_CHECKING:
    from salingjaga.core.db import Database


class Actor(Protocol):
    """Who acted, as the audit log names them: ``auth.principal.Principal`` is one. The log
    sits below auth (auth records to it), so it asks only for the name."""

    @property
    def actor(self) -> str:
        """``"user:<id>"`` and the like."""
        ...


_LOCK_KEY = 7_240_214  # arbitrary constant naming the audit chain's advisory lock


def record(
    session: Session,
    actor: Actor | str,
    action: str,
    entity_type: str,
    entity_id: str,
    data: dict[str, Any] | None = None,
) -> None:
    """Append one event in the caller's transaction (chained now, or queued for the chainer
    in deferred mode)."""
    record_many(session, [(actor, action, entity_type, entity_id, data or {})])


def record_many(session: Session, events: Sequence[tuple[Actor | str, str, str, str, dict[str, Any]]]) -> None:
    """``record`` for many events at once (actor, action, entity type, entity id, data), in
    order: one multi-row write in deferred mode, one lock and one head read otherwise.

    For callers that write in batches (notice intake): one statement per event would undo
    the batching. The rows are written now, in the caller's current transaction.
    """
    if not events:
        return
    at = utcnow().replace(microsecond=0)
    named = [(actor if isinstance(actor, str) else actor.actor, action, entity_type, entity_id, data or {})
             for actor, action, entity_type, entity_id, data in events]
    if session.info.get("audit_deferred"):
        # Plain rows, held until the transaction commits and then written in one statement
        # (``audit.queued``): a statement and a flush of the session per event cost a busy
        # transaction more than the work it records.
        hold(session.connection(),
             [{"at": at, "actor": actor, "action": action, "entity_type": entity_type,
               "entity_id": entity_id, "data": data} for actor, action, entity_type, entity_id, data in named])
        return
    _lock(session)
    position, prev = _head(session)
    for actor, action, entity_type, entity_id, data in named:
        position += 1
        event = _link(position, prev, at, actor, action, entity_type, entity_id, data)
        session.add(AuditEvent(**event))
        prev = event["hash"]
    session.flush()


def deferred_insert_sql(events: str) -> str:
    """The SQL that queues audit events for the chainer from inside another domain's
    statement, for a path whose writes must commit in one statement (a PostgreSQL CTE: the
    queue claim, ``moderation.claim_statement``). ``events`` is a SELECT of the columns
    ``n, actor, action, entity_type, entity_id, data`` (``n`` orders them, ``data`` is
    jsonb); the statement binds ``:at``, the events' time (``record_many``'s, to the
    second). Deferred mode only: chaining at once needs the chain's lock and head, which a
    single statement cannot take in order."""
    return ("INSERT INTO audit_pending (at, actor, action, entity_type, entity_id, data)\n"
            f"SELECT :at, actor, action, entity_type, entity_id, data FROM ({events}) AS e ORDER BY n")


def _lock(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        advisory_xact_lock(session, _LOCK_KEY)


def _head(session: Session) -> tuple[int, str]:
    """The last position and hash of the chain (0 and the genesis hash when empty)."""
    last = session.execute(
        select(AuditEvent.position, AuditEvent.hash).order_by(AuditEvent.position.desc()).limit(1)
    ).first()
    return (int(last[0]), str(last[1])) if last else (0, GENESIS)


def _link(position: int, prev: str, at: Any, actor_name: str, action: str, entity_type: str,
          entity_id: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The column values of the event at ``position`` after the event hashed ``prev``."""
    return {"position": position, "at": at, "actor": actor_name, "action": action,
            "entity_type": entity_type, "entity_id": entity_id, "data": payload, "prev_hash": prev,
            "hash": event_hash(prev, position, at, actor_name, action, entity_type, entity_id, payload)}


def chain_pending(session: Session, limit: int = 5000) -> int:
    """Move pending events into the chain, oldest first; returns how many were chained.

    Run it in its own transaction (the worker loop, the maintenance thread, ``audit
    verify``). Rows another transaction has not committed yet are simply chained next time.
    A batch costs four statements whatever its size (head, read, one multi-row insert, one
    delete): chaining must stay cheaper than the requests that feed it.
    """
    if session.get_bind().dialect.name == "postgresql":
        got = session.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
        if not got.scalar():
            return 0  # another chainer is at work
    write_held(session.connection())  # this transaction's own events come in order too
    P = PendingAuditEvent
    rows = session.execute(
        select(P.id, P.at, P.actor, P.action, P.entity_type, P.entity_id, P.data).order_by(P.id).limit(limit)
    ).all()
    if not rows:
        return 0
    position, prev = _head(session)
    events = []
    for row in rows:
        position += 1
        event = _link(position, prev, row.at, row.actor, row.action, row.entity_type, row.entity_id,
                      row.data or {})
        events.append(event)
        prev = event["hash"]
    insert_rows(session, cast(Table, AuditEvent.__table__), events)
    session.execute(delete(P).where(P.id.in_([row.id for row in rows])))
    return len(rows)


def chain_all(db: Database) -> int:
    """Chain every pending event, a batch per transaction; returns how many."""
    total = 0
    while True:
        with db.session() as session:
            moved = chain_pending(session)
        total += moved
        if moved == 0:
            return total


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
    """Check the whole chain; names the first bad entry if any row was altered or removed.

    Pending events (deferred mode) are not yet part of the chain; ``audit verify`` chains
    them first."""
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
