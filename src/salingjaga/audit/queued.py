"""Deferred-mode audit rows held until their transaction commits, then written in one
statement.

A request or a simulated run records several events per transaction (an item taken in, a
notice, its case, a claim, a decision). Written one by one, each event was an INSERT of its
own and, before it, a flush of the session: in the simulator about five statements and as
many flushes per arrival. Held here, a transaction's events go in together, with the rows
in the order they were recorded, as the last statement before COMMIT.

The rows are held on the database connection (``Connection.info``) and follow its
transaction, not the ORM session's: the connection's own events say for certain what
happens to them. A rolled-back savepoint drops the rows recorded since it began, a
released one keeps them, a rollback drops them all and a commit writes them first. Nothing
is lost that the transaction commits, and nothing is written that it does not.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, event
from sqlalchemy.engine import Connection, Engine

from salingjaga.audit.models import PendingAuditEvent
from salingjaga.core.bulk import insert_on

_PENDING = cast(Table, PendingAuditEvent.__table__)
_ROWS = "salingjaga.audit.queued"  # Connection.info key: the rows waiting for COMMIT
_MARKS = "salingjaga.audit.savepoints"  # Connection.info key: rows held when each open savepoint began


def hold(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Keep ``rows`` (``audit_pending`` columns) until ``conn``'s transaction commits."""
    conn.info.setdefault(_ROWS, []).extend(rows)


def write_held(conn: Connection) -> int:
    """Write the rows held on ``conn`` now, in one statement (the commit does it; a reader
    of ``audit_pending`` inside the same transaction calls it first). Returns how many."""
    rows = conn.info.pop(_ROWS, None)
    if not rows:
        return 0
    return insert_on(conn, _PENDING, rows)


def _on_commit(conn: Connection) -> None:
    conn.info.pop(_MARKS, None)
    write_held(conn)


def _on_rollback(conn: Connection) -> None:
    conn.info.pop(_ROWS, None)
    conn.info.pop(_MARKS, None)


def _on_savepoint(conn: Connection, _name: str | None) -> None:
    # Savepoints nest, and the name is not known yet when this fires: a stack of marks.
    conn.info.setdefault(_MARKS, []).append(len(conn.info.get(_ROWS, ())))


def _on_rollback_savepoint(conn: Connection, _name: str, _context: Any) -> None:
    marks = conn.info.get(_MARKS)
    if marks:
        mark = marks.pop()
        if _ROWS in conn.info:
            del conn.info[_ROWS][mark:]


def _on_release_savepoint(conn: Connection, _name: str, _context: Any) -> None:
    marks = conn.info.get(_MARKS)
    if marks:
        marks.pop()


# On every engine: the hooks cost nothing on a connection that holds no rows, and an engine
# made before this module was imported is covered as well.
event.listen(Engine, "commit", _on_commit)
event.listen(Engine, "rollback", _on_rollback)
event.listen(Engine, "savepoint", _on_savepoint)
event.listen(Engine, "rollback_savepoint", _on_rollback_savepoint)
event.listen(Engine, "release_savepoint", _on_release_savepoint)
