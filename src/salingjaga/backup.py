"""Backup and restore of the embedded SQLite database, and the checks a restore must pass.

SQLite's online backup API copies a consistent snapshot even while the server writes, so a
backup never holds half a transaction.

A restore never touches the live database until the backup has passed every check, made on
a copy of it staged beside the live file: it is an intact SQLite file; it carries a
SalingJaga schema whose migration revisions this code knows (an older one is migrated up,
in the copy; one from newer code is refused); every table the code needs is there; the
audit hash chain verifies, and agrees with every head anchored for this database. Only then
is the copy swapped in with ``os.replace`` (atomic on one filesystem), after the live
database's write-ahead log has been folded in and the live file kept under a timestamped
name. A backup that fails a check leaves the live database byte for byte as it was.

PostgreSQL is restored with its own tools into a new database, checked with
``salingjaga db verify`` (``verify_database``, the same checks), then renamed into place:
see docs/operations.md.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from salingjaga.core.errors import Invalid

WAL_SUFFIXES = ("-wal", "-shm")


def sqlite_path(database_url: str) -> Path:
    """The file of a ``sqlite:///`` URL."""
    if not database_url.startswith("sqlite:///") or ":memory:" in database_url:
        raise Invalid("backup/restore here is for the embedded SQLite database; for PostgreSQL "
                      "restore into a new database and check it with `salingjaga db verify` "
                      "(docs/operations.md)")
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


@dataclass
class Verified:
    """What the checks found in a database that passed them."""

    revisions: list[str]
    upgraded_from: list[str] | None = None
    audit_entries: int = 0
    warnings: list[str] = field(default_factory=list)


def _schema_revisions(database_url: str) -> list[str]:
    """The migration revisions recorded in a database; refuses a database without them, or
    with one this code does not know (a backup from newer code)."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError
    from sqlalchemy import inspect, text

    from salingjaga.core.db import make_engine
    from salingjaga.migrate import alembic_config

    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                raise Invalid("not a SalingJaga database: it has no schema version (alembic_version)")
            revisions = sorted(str(r) for r in conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    finally:
        engine.dispose()
    if not revisions:
        raise Invalid("not a SalingJaga database: its schema version is empty")
    script = ScriptDirectory.from_config(alembic_config(database_url))
    for revision in revisions:
        try:
            known = script.get_revision(revision)
        except CommandError:
            known = None
        if known is None:
            raise Invalid(f"schema version {revision} is unknown to this code (a backup from a newer "
                          "SalingJaga?): upgrade SalingJaga before restoring it")
    return revisions


def _missing_tables(database_url: str) -> list[str]:
    from sqlalchemy import inspect

    from salingjaga import parts
    from salingjaga.core.db import Base, make_engine

    assert parts.MODELS  # every domain's tables are on Base.metadata
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            present = set(inspect(conn).get_table_names())
    finally:
        engine.dispose()
    return sorted(set(Base.metadata.tables) - present)


def _check_chain(database_url: str, anchors: Path | None, anchor_database: str | None) -> tuple[int, list[str]]:
    """Verify the audit chain, and that it agrees with every anchored head it is long enough
    to hold; returns (entries, warnings). An anchor beyond its end is a warning (restoring an
    older backup loses what came after), an anchor it contradicts is a refusal."""
    from sqlalchemy import select

    from salingjaga.audit.anchors import head, read_anchors
    from salingjaga.audit.models import AuditEvent
    from salingjaga.audit.service import verify
    from salingjaga.core.db import Database

    db = Database(database_url)
    warnings: list[str] = []
    try:
        with db.session() as session:
            report = verify(session)
            if not report.ok:
                raise Invalid(f"the audit chain is broken at entry {report.first_bad}: {report.reason}")
            if anchors is None or anchor_database is None:
                return report.checked, warnings
            try:
                known = read_anchors(anchors, anchor_database)
            except ValueError as exc:
                raise Invalid(str(exc)) from exc
            top = head(session)
            last = top[0] if top else 0
            beyond = [a for a in known if a.position > last]
            for a in sorted(known, key=lambda x: x.position):
                if a.position > last:
                    continue
                found = session.scalar(select(AuditEvent.hash).where(AuditEvent.position == a.position))
                if found != a.hash:
                    raise Invalid(f"audit entry {a.position} does not match the head anchored at {a.at} "
                                  f"({a.hash}): the backup's record was rewritten")
            if beyond:
                latest = max(beyond, key=lambda x: x.position)
                warnings.append(f"the backup's audit chain ends at entry {last}; entries up to {latest.position} "
                                f"(anchored at {latest.at}) are not in it and are lost by restoring it")
            return report.checked, warnings
    finally:
        db.dispose()


def verify_database(database_url: str, *, upgrade: bool = False, anchors: Path | None = None,
                    anchor_database: str | None = None) -> Verified:
    """Check that a database is a whole SalingJaga database with an intact record; raises
    ``Invalid`` with one line naming the first problem. With ``upgrade`` an older schema is
    migrated up first (only ever do that to a copy). ``anchors``/``anchor_database``: the
    anchor file and the database name whose anchored heads the chain must agree with."""
    from alembic import command
    from alembic.script import ScriptDirectory

    from salingjaga.migrate import alembic_config

    revisions = _schema_revisions(database_url)
    heads = sorted(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())
    upgraded_from = None
    if upgrade and revisions != heads:
        try:
            command.upgrade(alembic_config(database_url), "heads")
        except Exception as exc:  # any migration failure refuses the backup, nothing else
            raise Invalid(f"the backup's schema ({', '.join(revisions)}) could not be migrated: {exc}") from exc
        upgraded_from, revisions = revisions, _schema_revisions(database_url)
    missing = _missing_tables(database_url)
    if missing:
        raise Invalid(f"not a complete SalingJaga database: missing tables {', '.join(missing)}")
    entries, warnings = _check_chain(database_url, anchors, anchor_database)
    if revisions != heads and not upgrade:
        warnings.append(f"schema is older than this code ({', '.join(revisions)}): run `salingjaga db upgrade`")
    return Verified(revisions, upgraded_from, entries, warnings)


@dataclass
class Restored:
    """The outcome of a restore: where the previous database was kept, and the checks."""

    target: Path
    kept: Path | None
    verified: Verified


def _remove_with_journals(path: Path) -> None:
    for p in (path, *(Path(str(path) + s) for s in (*WAL_SUFFIXES, "-journal"))):
        p.unlink(missing_ok=True)


def _free_name(base: Path) -> Path:
    candidate, n = base, 1
    while candidate.exists() or any(Path(str(candidate) + s).exists() for s in WAL_SUFFIXES):
        candidate = base.with_name(f"{base.name}-{n}")
        n += 1
    return candidate


def _fold_wal(path: Path) -> None:
    """Write the live database's WAL into its main file, so the file alone is the whole
    database; refuses while another process holds it (a running server)."""
    conn = sqlite3.connect(str(path), timeout=5)
    try:
        busy, _log, _done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        conn.close()
    if busy:
        raise Invalid(f"{path} is in use (its write-ahead log cannot be folded in): stop the server first")


def restore(database_url: str, source: Path, *, anchors: Path | None = None,
            anchor_database: str | None = None) -> Restored:
    """Replace the live database with a verified copy of a backup (stop the server first).

    The previous database stays under ``<name>.pre-restore-<UTC time>``. Any failed check
    raises ``Invalid`` before the live database is touched."""
    target = sqlite_path(database_url)
    if not source.exists():
        raise Invalid(f"no backup at {source}")
    if target.exists() and os.path.samefile(source, target):
        raise Invalid(f"{source} is the live database itself")
    target.parent.mkdir(parents=True, exist_ok=True)
    # Staged beside the target: the same filesystem, so the final os.replace is atomic.
    staged = target.with_name(f".{target.name}.restoring-{os.getpid()}")
    _remove_with_journals(staged)
    try:
        shutil.copyfile(source, staged)
        check_file(staged)
        verified = verify_database(f"sqlite:///{staged}", upgrade=True, anchors=anchors,
                                   anchor_database=anchor_database)
        # One self-contained file: no WAL of the staged copy may be left to pair with it.
        conn = sqlite3.connect(str(staged))
        try:
            conn.execute("PRAGMA journal_mode=DELETE")
        finally:
            conn.close()
        kept = None
        if target.exists():
            _fold_wal(target)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            kept = _free_name(target.with_name(f"{target.name}.pre-restore-{stamp}"))
            # A hard link keeps the old database under its new name while the live name
            # still points at it, so the live name never goes missing.
            try:
                os.link(target, kept)
            except OSError:
                shutil.copy2(target, kept)
            # The old WAL and shared-memory files belong to the old database: left beside
            # the new one, SQLite would replay the old log into it.
            for suffix in WAL_SUFFIXES:
                old = Path(str(target) + suffix)
                if old.exists():
                    os.replace(old, Path(str(kept) + suffix))
        os.replace(staged, target)
    finally:
        _remove_with_journals(staged)
    return Restored(target, kept, verified)
