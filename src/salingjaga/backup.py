"""Backup and restore of the embedded SQLite database (PostgreSQL: see docs/operations.md).

SQLite's online backup API copies a consistent snapshot even while the server writes, so a
backup never holds half a transaction. A backup file is verified (integrity check and audit
chain) before restore replaces the live database.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from salingjaga.errors import Invalid


def sqlite_path(database_url: str) -> Path:
    """The file of a ``sqlite:///`` URL."""
    if not database_url.startswith("sqlite:///") or ":memory:" in database_url:
        raise Invalid("backup/restore here is for the embedded SQLite database; for PostgreSQL "
                      "use pg_dump/pg_restore (docs/operations.md)")
    return Path(database_url.split("///", 1)[1])


def backup(database_url: str, out: Path) -> Path:
    """Write a consistent copy of the live database to ``out``."""
    src_path = sqlite_path(database_url)
    if not src_path.exists():
        raise Invalid(f"no database at {src_path}")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".partial")
    src = sqlite3.connect(str(src_path))
    dst = sqlite3.connect(str(tmp))
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()
    tmp.replace(out)
    return out


def check_file(path: Path) -> None:
    """Refuse a file that is not an intact SQLite database."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise Invalid(f"{path} is not a SQLite database: {exc}") from exc
    if not result or result[0] != "ok":
        raise Invalid(f"{path} failed the integrity check: {result}")


def restore(database_url: str, source: Path) -> Path:
    """Replace the live database with a backup (stop the server first)."""
    target = sqlite_path(database_url)
    if not source.exists():
        raise Invalid(f"no backup at {source}")
    check_file(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    tmp = target.with_suffix(".restoring")
    shutil.copyfile(source, tmp)
    tmp.replace(target)
    return target
