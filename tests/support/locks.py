"""Holding a PostgreSQL table lock from another connection, as a long transaction would:
group-commit tests use it to keep a writer busy on the event loop while requests queue."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import text


@contextmanager
def table_locked(db: Any, table: str, release: threading.Event) -> Iterator[None]:
    """``table`` locked (ACCESS EXCLUSIVE) in a transaction of its own until ``release`` is
    set, then rolled back; the block runs once the lock is held."""
    locked = threading.Event()

    def hold() -> None:
        with db.engine.connect() as conn:
            conn.execute(text(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
            locked.set()
            release.wait(30)
            conn.rollback()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(10), f"{table} was never locked"
        yield
    finally:
        release.set()
        holder.join()
