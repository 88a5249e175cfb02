"""Bulk rows for the benchmarks, generated inside PostgreSQL (INSERT .. SELECT over
generate_series) so a million rows take seconds, not the minutes the ORM would.

Columns are filled from the table's own definition: required columns get a neutral value by
type, unique ones a value made unique by the row number, and ``overrides`` give SQL
expressions (``g`` is the row number). A column moderation adds later gets a neutral value
instead of breaking the benchmark.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Integer, Numeric, String, Table, Text, text
from sqlalchemy.engine import Engine

from salingjaga.core.db import JSONType, UTCDateTime


def _neutral(col: Any, prefix: str) -> str | None:
    unique = col.primary_key or col.unique
    if isinstance(col.type, String | Text):
        return f"'{prefix}_{col.name}_' || g" if unique else "''"
    if isinstance(col.type, Boolean):
        return "false"
    if isinstance(col.type, Integer | Numeric):
        return "g" if unique else "0"
    if isinstance(col.type, UTCDateTime):
        return "now()"
    if isinstance(col.type, JSONType):
        default = getattr(col.default, "arg", None)
        empty = "{}" if default is dict or (callable(default) and default.__name__ == "dict") else "[]"
        return f"'{empty}'::jsonb"
    return None


def bulk_insert(engine: Engine, table: Table, n: int, overrides: dict[str, str], prefix: str,
                start: int = 1) -> None:
    """Insert ``n`` rows into ``table``; ``overrides`` maps column to a SQL expression of ``g``."""
    cols: list[str] = []
    exprs: list[str] = []
    for col in table.columns:
        if col.name in overrides:
            expr: str | None = overrides[col.name]
        elif col.nullable and not col.primary_key:
            continue
        else:
            expr = _neutral(col, prefix)
        if expr is None:
            raise ValueError(f"no value for {table.name}.{col.name} ({col.type}); pass an override")
        cols.append(f'"{col.name}"')
        exprs.append(expr)
    sql = (f'INSERT INTO "{table.name}" ({", ".join(cols)}) SELECT {", ".join(exprs)} '
           f"FROM generate_series({start}, {start + n - 1}) AS g")
    with engine.begin() as conn:
        conn.execute(text(sql))
        conn.execute(text(f'ANALYZE "{table.name}"'))
