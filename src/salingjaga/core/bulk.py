"""Many rows in one INSERT statement, for the writers that batch (notice intake).

On PostgreSQL the rows travel as one JSON parameter expanded by ``jsonb_populate_recordset``
into the table's row type, so the statement text is the same whatever the number of rows:
the driver parses it once and caches it, and the table's statement-level triggers (the
transparency marks) run once per batch instead of once per row. SQLAlchemy's own
multi-row form builds a new text for every batch size, which psycopg then parses afresh
(measured: the larger part of an insert's CPU), and a plain executemany runs the triggers
for every row. SQLite takes a plain executemany (one process, no network).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, Table, TextClause, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_state, manager_of_class, set_committed_value
from sqlalchemy.orm.util import identity_key

from salingjaga.core.timeutil import as_utc


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]], *, skip_conflicts: bool = False) -> int:
    """Insert ``rows`` (dicts with the same keys, Python values) in the session's
    transaction; returns how many went in. ``skip_conflicts`` leaves out rows that would
    break a unique constraint (``ON CONFLICT DO NOTHING``) instead of failing."""
    if not rows:
        return 0
    # What the session holds unwritten goes first (rows here may refer to it), as a query
    # through the session would do; the rows themselves go straight to the connection: the
    # ORM's handling of a Core statement (its execution context, its bulk bookkeeping)
    # cost more CPU than the INSERT, and the statement is built once per table.
    session.flush()
    return insert_on(session.connection(), table, rows, skip_conflicts=skip_conflicts)


def insert_one(session: Session, table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """``insert_rows`` for one row with every column of ``table``; returns the row (for
    ``attach_written``). A missing column is a bug here (the attached object would lack
    it), so it is refused rather than left to the column's default."""
    if len(row) != len(table.columns):
        missing = sorted({c.key for c in table.columns} - row.keys())
        raise ValueError(f"{table.name}: a row without {', '.join(missing) or 'the same columns'}")
    insert_rows(session, table, [row])
    return row


def insert_on(conn: Connection, table: Table, rows: list[dict[str, Any]], *, skip_conflicts: bool = False) -> int:
    """``insert_rows`` on a connection, for writers outside any session's flush (the audit
    rows a transaction holds until it commits)."""
    if not rows:
        return 0
    columns = tuple(rows[0])
    if conn.dialect.name == "postgresql":
        payload = json.dumps(rows, default=_json_value, separators=(",", ":"))
        result = conn.execute(_pg_statement(table.name, columns, skip_conflicts), {"rows": payload})
    else:
        result = conn.execute(_sqlite_statement(table, skip_conflicts), rows)
    return int(result.rowcount)


@lru_cache(maxsize=64)
def _sqlite_statement(table: Table, skip_conflicts: bool) -> Any:
    stmt = sqlite.insert(table)
    return stmt.on_conflict_do_nothing() if skip_conflicts else stmt


def null_columns(table: Table) -> dict[str, None]:
    """The columns a new row leaves NULL (no default of any kind): spread into a row before
    ``attach_written`` so the attached object has every attribute loaded."""
    return {c.key: None for c in table.columns if c.default is None and c.server_default is None}


T = TypeVar("T")


def attach_written(session: Session, cls: type[T], values: dict[str, Any]) -> T:
    """The mapped object for a row just written (or read back by RETURNING) with every
    column in ``values``, without reading it again: the session's own object for that key
    takes the values if it holds one, else a loaded object joins the session.

    A new object is filled the way SQLAlchemy's loader fills one, values straight into its
    state: the constructor would fire an attribute event per column and record each as a
    change to flush (a fifth of notice intake's batch CPU), for values already written."""
    held = session.identity_map.get(identity_key(cls, values["id"]))
    if isinstance(held, cls):
        for key, value in values.items():
            set_committed_value(held, key, value)
        return held
    obj = detached(cls, values)
    session.add(obj)
    return obj


def held_by_id(session: Session, cls: type[T], ids: Iterable[str]) -> dict[str, T]:
    """The objects of ``cls`` with these primary keys that the session already holds (as
    ``session.get`` would find them without a read): a batch reader asks the database only
    for the rest."""
    found: dict[str, T] = {}
    for key in ids:
        obj = session.identity_map.get(identity_key(cls, key))
        if isinstance(obj, cls):
            found[key] = obj
    return found


def detached(cls: type[T], values: dict[str, Any]) -> T:
    """A mapped object for a committed row, in no session, filled as the loader fills one
    (see ``attach_written``)."""
    obj = cast(T, manager_of_class(cls).new_instance())
    instance_state(obj).dict.update(values)
    make_transient_to_detached(obj)
    return obj


@lru_cache(maxsize=64)
def _pg_statement(table: str, columns: tuple[str, ...], skip_conflicts: bool) -> TextClause:
    # Names come from the table metadata (never from input), quoted all the same.
    cols = ", ".join(f'"{c}"' for c in columns)
    sql = (f'INSERT INTO "{table}" ({cols}) SELECT {cols} '  # noqa: S608 (metadata names only)
           f'FROM jsonb_populate_recordset(NULL::"{table}", CAST(:rows AS jsonb))')
    if skip_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    return text(sql)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as a JSON row value")
