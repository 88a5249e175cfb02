"""Dead letters in the database: what could not be handled, and why.

A handler records a failed step through ``record_dead_letter`` in its own transaction, so
the letter commits with whatever the other steps stored. The in-process transports record
a handler that raised (``dispatch(..., record_failures=True)``) in a fresh transaction, as
the handler's own was rolled back.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from salingjaga.core.ids import new_id
from salingjaga.core.timeutil import utcnow
from salingjaga.stream.models import DeadLetter

MAX_ERROR_CHARS = 2000


def record_dead_letter(session: Session, *, topic: str, payload: dict[str, Any], handler: str,
                       error: str, step: str = "") -> DeadLetter:
    """Keep a message (or one failed step of it, named by ``step``) with its reason."""
    letter = DeadLetter(id=new_id("dead"), topic=topic[:40], payload=payload, handler=handler[:200],
                        step=step[:120], error=error[:MAX_ERROR_CHARS], created_at=utcnow())
    session.add(letter)
    session.flush()
    return letter


def dead_letter_out(letter: DeadLetter) -> dict[str, Any]:
    """The JSON shape of a dead letter (API and CLI)."""
    return {"id": letter.id, "topic": letter.topic, "payload": letter.payload,
            "handler": letter.handler, "step": letter.step, "error": letter.error,
            "created_at": letter.created_at.isoformat()}


def list_dead_letters(session: Session, limit: int = 50) -> list[DeadLetter]:
    """The newest dead letters first."""
    return list(session.scalars(select(DeadLetter).order_by(DeadLetter.created_at.desc(), DeadLetter.id)
                                .limit(limit)))


def count_dead_letters(session: Session) -> int:
    """How many dead letters are kept."""
    return int(session.scalar(select(func.count(DeadLetter.id))) or 0)


def take_dead_letters(session: Session, ids: list[str] | None = None) -> list[DeadLetter]:
    """Remove and return dead letters (all, or those named) so they can be sent again."""
    query = select(DeadLetter).order_by(DeadLetter.created_at, DeadLetter.id)
    if ids:
        query = query.where(DeadLetter.id.in_(ids))
    letters = list(session.scalars(query))
    if letters:
        session.execute(delete(DeadLetter).where(DeadLetter.id.in_([d.id for d in letters])))
    return letters
