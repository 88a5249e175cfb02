"""The transactional outbox (``models.OutboxMessage``): a message is staged in the same
transaction as the change it announces and handed to the transport only after that commit.

Publishing after the commit alone loses the message when the server dies between the two
or Redis refuses it: the item is stored but never scanned. Publishing before the commit
would announce a change that may roll back. Staging a row makes the message as durable as
the change; ``deliver`` sends it right after the commit and deletes the row once the
transport answers for it, and ``relay`` sends whatever a failed delivery or a dead server
left behind.

When a row may be deleted depends on the transport (``Transport.durable``): Redis and the
inline transport answer for a message once ``publish`` returns; the in-memory queue dies
with its process, so its worker deletes the row after handling the message.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from salingjaga.core.ids import new_id
from salingjaga.core.timeutil import utcnow
from salingjaga.stream.models import OutboxMessage
from salingjaga.stream.types import Transport

if TYPE_CHECKING:
    from salingjaga.core.db import Database

log = logging.getLogger("salingjaga.stream.outbox")

# The payload field that carries the outbox id to the worker: the message's key for the
# receipts, so a message published twice is handled once.
KEY = "message_key"


def split_key(payload: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """A published payload's outbox key (None for a message sent without the outbox) and
    the payload its handlers see: the key is the transports' business."""
    if KEY not in payload:
        return None, payload
    return str(payload[KEY]), {k: v for k, v in payload.items() if k != KEY}


@dataclass(frozen=True)
class Staged:
    """A message written to the outbox, to deliver after its transaction commits."""

    id: str
    topic: str
    payload: dict[str, Any]

    def message(self) -> dict[str, Any]:
        """The payload as published: with its key."""
        return {**self.payload, KEY: self.id}


def stage(session: Session, topic: str, payload: dict[str, Any]) -> Staged:
    """Write a message in the caller's transaction; ``deliver`` it after the commit."""
    staged = Staged(new_id("msg"), topic, dict(payload))
    session.add(OutboxMessage(id=staged.id, topic=topic, payload=staged.payload, created_at=utcnow()))
    return staged


def commit_and_publish(session: Session, db: Database, transport: Transport, topic: str,
                       payloads: Sequence[dict[str, Any]]) -> None:
    """Commit the caller's transaction with a message per payload staged in it, then
    deliver them: the routes' one way to announce a change to the workers."""
    staged = [stage(session, topic, payload) for payload in payloads]
    session.commit()
    deliver(db, transport, staged)


def deliver(db: Database, transport: Transport, staged: Sequence[Staged]) -> int:
    """Publish committed messages, oldest first, and delete the rows the transport now
    answers for; returns how many were published.

    Never raises: the change is committed whatever happens here. A message the transport
    refuses (Redis unreachable) stays in the outbox, with the ones after it, for ``relay``.
    """
    sent = _publish(transport, staged)
    if sent and transport.durable:
        try:
            done(db, sent)
        except Exception:  # published all the same: the relay may send it again, the key dedupes
            log.warning("could not clear %d delivered outbox rows", len(sent), exc_info=True)
    return len(sent)


def _publish(transport: Transport, messages: Sequence[Staged]) -> list[str]:
    """Publish in order until the transport refuses one; the ids published."""
    sent: list[str] = []
    for message in messages:
        try:
            transport.publish(message.topic, message.message())
        except Exception:
            log.warning("publishing %s failed; the outbox relay will send it", message.id, exc_info=True)
            break
        sent.append(message.id)
    return sent


def done(db: Database, ids: Sequence[str]) -> None:
    """Delete delivered messages."""
    with db.session() as session:
        session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(list(ids))))


def relay(db: Database, transport: Transport, *, older_than: datetime, limit: int | None = 500) -> int:
    """Publish messages staged before ``older_than`` that are still in the outbox (a
    delivery failed, or the server died before it), oldest first; returns how many.

    Servers may relay at once: on PostgreSQL each locks the rows it sends (SKIP LOCKED), and
    a row sent twice anyway is handled once thanks to its key. ``limit=None`` sends them all
    (a transport that is not durable keeps the rows until handled, so paging would send the
    first page again)."""
    with db.session() as session:
        rows = session.scalars(
            select(OutboxMessage).where(OutboxMessage.created_at < older_than)
            .order_by(OutboxMessage.created_at, OutboxMessage.id).limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        sent = _publish(transport, [Staged(row.id, row.topic, dict(row.payload)) for row in rows])
        if sent and transport.durable:
            session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(sent)))
    if sent:
        log.info("relayed %d outbox messages", len(sent))
    return len(sent)


def backlog(session: Session) -> int:
    """Messages waiting in the outbox (for /metrics)."""
    return int(session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)
