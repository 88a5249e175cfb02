"""Rows written to one table per committed transaction, seen from every engine in the
process: how long a long write holds SQLite's one writer, made countable (the time itself
is measured in benchmarks/)."""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Any

from sqlalchemy import Engine, event


class RowsPerCommit:
    """Within the block, ``committed`` lists the rows inserted into ``table`` by each
    transaction that committed any."""

    def __init__(self, table: str) -> None:
        self.markers = (f'INSERT INTO "{table}"', f"INSERT INTO {table} ")
        self.open: dict[int, int] = defaultdict(int)
        self.committed: list[int] = []
        self.lock = threading.Lock()

    def after_execute(self, conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if any(m in statement for m in self.markers):
            with self.lock:
                self.open[id(conn.connection.dbapi_connection)] += max(cursor.rowcount, 0)

    def commit(self, conn: Any) -> None:
        with self.lock:
            written = self.open.pop(id(conn.connection.dbapi_connection), 0)
            if written:
                self.committed.append(written)

    def __enter__(self) -> RowsPerCommit:
        event.listen(Engine, "after_cursor_execute", self.after_execute)
        event.listen(Engine, "commit", self.commit)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(Engine, "after_cursor_execute", self.after_execute)
        event.remove(Engine, "commit", self.commit)
