"""Backup and restore of the embedded database keep every record and the audit chain."""

from typer.testing import CliRunner

from salingjaga.cli import app
from tests.conftest import bearer

runner = CliRunner()


def test_backup_restore_round_trip(client, world, database_url, tmp_path, request):
    if not database_url.startswith("sqlite"):
        import pytest

        pytest.skip("SQLite backup; PostgreSQL uses pg_dump (docs/operations.md)")
    admin = world.key("admin")
    made = client.post("/api/v1/partners", headers=bearer(admin), json={
        "name": "Perludem", "kind": "civil_society", "trusted": True,
        "policies": ["misinformation"]}).json()
    out = tmp_path / "backup.db"
    r = runner.invoke(app, ["db", "backup", "--out", str(out), "--database-url", database_url])
    assert r.exit_code == 0, r.output
    # after the backup, something is lost
    client.post("/api/v1/partners", headers=bearer(admin), json={
        "name": "Later", "kind": "civil_society"})
    r = runner.invoke(app, ["db", "restore", str(out), "--database-url", database_url])
    assert r.exit_code == 0, r.output
    assert "audit chain intact" in r.output
    from salingjaga.core.db import Database
    from salingjaga.partners.service import list_partners

    db = Database(database_url)
    with db.session() as s:
        assert [p.id for p in list_partners(s)] == [made["id"]]
    db.dispose()


def test_restore_refuses_a_file_that_is_not_a_database(database_url, tmp_path):
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"this is not sqlite" * 100)
    r = runner.invoke(app, ["db", "restore", str(bogus), "--database-url", database_url])
    assert r.exit_code == 1


# A restore verifies a copy before it touches the live database --------------------------

import hashlib  # noqa: E402
import sqlite3  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture
def sqlite_only(database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite restore; PostgreSQL is checked with `db verify` (test_verify_on_postgresql)")
    return Path(database_url.split("///", 1)[1])


@pytest.fixture(autouse=True)
def _anchors_in_tmp(tmp_path, monkeypatch):
    """The commands read SALINGJAGA_DATA_DIR (where anchors live): keep it in this test."""
    monkeypatch.setenv("SALINGJAGA_DATA_DIR", str(tmp_path / "data"))


def _partners(client, world, n):
    admin = world.key("admin")
    for i in range(n):
        r = client.post("/api/v1/partners", headers=bearer(admin), json={
            "name": f"Partner {i}", "kind": "civil_society"})
        assert r.status_code == 201, r.text


def _fingerprint(live: Path) -> dict[str, str]:
    """Bytes of the live database and its write-ahead log (the shared-memory file is an index
    any reader rewrites, not data)."""
    out = {}
    for p in (live, Path(f"{live}-wal")):
        if p.exists():
            out[p.name] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _partner_count(database_url):
    from salingjaga.core.db import Database
    from salingjaga.partners.service import list_partners

    db = Database(database_url)
    with db.session() as s:
        n = len(list_partners(s))
    db.dispose()
    return n


def _backup(database_url, out):
    r = runner.invoke(app, ["db", "backup", "--out", str(out), "--database-url", database_url])
    assert r.exit_code == 0, r.output
    return out


def _edit(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(str(path))
    for sql in statements:
        conn.execute(sql)
    conn.commit()
    conn.close()


def _refused(database_url, backup_file, live, expected):
    before = _fingerprint(live)
    partners = _partner_count(database_url)
    r = runner.invoke(app, ["db", "restore", str(backup_file), "--database-url", database_url])
    assert r.exit_code == 1, r.output
    lines = [line for line in r.output.splitlines() if line.strip()]
    assert len(lines) == 1, r.output
    assert lines[0].startswith("error: not restored, the live database is unchanged: "), lines[0]
    assert expected in lines[0], lines[0]
    assert _fingerprint(live) == before
    assert _partner_count(database_url) == partners
    assert not [p.name for p in live.parent.iterdir() if ".restoring" in p.name or ".pre-restore" in p.name]
    return lines[0]


def test_a_tampered_backup_is_refused_and_the_live_database_is_untouched(client, world, database_url,
                                                                          sqlite_only, tmp_path):
    _partners(client, world, 6)
    bad = _backup(database_url, tmp_path / "tampered.db")
    # half the partners cut, and an audit entry rewritten to hide it
    _edit(bad, "DELETE FROM partners WHERE rowid % 2 = 0",
          "UPDATE audit_events SET data = '{}' WHERE position = 3")
    _refused(database_url, bad, sqlite_only, "the audit chain is broken at entry 3")
    assert client.get("/api/v1/partners", headers=bearer(world.key("admin"))).status_code == 200


def test_a_sqlite_file_without_the_schema_is_refused(client, world, database_url, sqlite_only, tmp_path):
    _partners(client, world, 2)
    foreign = tmp_path / "foreign.db"
    _edit(foreign, "CREATE TABLE notes (x TEXT)", "INSERT INTO notes VALUES ('hello')")
    _refused(database_url, foreign, sqlite_only, "not a SalingJaga database: it has no schema version")


def test_a_backup_from_newer_code_is_refused(client, world, database_url, sqlite_only, tmp_path):
    _partners(client, world, 2)
    newer = _backup(database_url, tmp_path / "newer.db")
    _edit(newer, "UPDATE alembic_version SET version_num = '9999_from_the_future' "
                 "WHERE version_num = (SELECT MIN(version_num) FROM alembic_version)")
    _refused(database_url, newer, sqlite_only, "schema version 9999_from_the_future is unknown to this code")


def test_a_backup_missing_a_table_is_refused(client, world, database_url, sqlite_only, tmp_path):
    _partners(client, world, 2)
    partial = _backup(database_url, tmp_path / "partial.db")
    _edit(partial, "DROP TABLE webhook_deliveries")
    _refused(database_url, partial, sqlite_only, "missing tables webhook_deliveries")


def test_a_file_that_is_not_a_database_leaves_the_live_one_alone(client, world, database_url, sqlite_only,
                                                                 tmp_path):
    _partners(client, world, 2)
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"this is not sqlite" * 100)
    _refused(database_url, bogus, sqlite_only, "is not a SQLite database")


def test_a_rehashed_chain_that_contradicts_an_anchor_is_refused(client, world, database_url, sqlite_only,
                                                               tmp_path):
    """Rewriting an entry and recomputing every hash after it makes a valid chain; the head
    anchored before the backup was taken still gives it away."""
    from sqlalchemy import select

    from salingjaga.audit.chain import event_hash
    from salingjaga.audit.models import AuditEvent
    from salingjaga.core.db import Database

    _partners(client, world, 3)
    r = runner.invoke(app, ["audit", "anchor", "--database-url", database_url])
    assert r.exit_code == 0, r.output
    forged = _backup(database_url, tmp_path / "forged.db")
    db = Database(f"sqlite:///{forged}")
    with db.session() as s:
        prev = None
        for e in s.scalars(select(AuditEvent).order_by(AuditEvent.position)):
            if e.position == 2:
                e.data = {**e.data, "forged": True}
            if e.position >= 2:
                e.prev_hash = prev
                e.hash = event_hash(prev, e.position, e.at, e.actor, e.action, e.entity_type,
                                    e.entity_id, e.data)
            prev = e.hash
    db.dispose()
    _edit(forged, "PRAGMA journal_mode=DELETE")
    _refused(database_url, forged, sqlite_only, "does not match the head anchored at")


def test_a_good_restore_keeps_the_previous_database_and_drops_its_log(client, world, database_url,
                                                                      sqlite_only, tmp_path):
    _partners(client, world, 2)
    good = _backup(database_url, tmp_path / "good.db")
    _partners(client, world, 3)  # written after the backup: in the live WAL, and in the kept file
    assert _partner_count(database_url) == 5
    r = runner.invoke(app, ["db", "restore", str(good), "--database-url", database_url])
    assert r.exit_code == 0, r.output
    assert "restored; audit chain intact" in r.output
    kept_line = next(line for line in r.output.splitlines() if line.startswith("previous database kept at "))
    kept = Path(kept_line.removeprefix("previous database kept at ").strip())
    assert kept.parent == sqlite_only.parent and kept.name.startswith(f"{sqlite_only.name}.pre-restore-")
    assert _partner_count(database_url) == 2
    assert _partner_count(f"sqlite:///{kept}") == 5  # nothing lost: the old log went with it
    assert not [p.name for p in sqlite_only.parent.iterdir() if ".restoring" in p.name]


def test_an_older_backup_is_migrated_in_the_copy(database_url, sqlite_only, tmp_path):
    from salingjaga.core.settings import Settings
    from salingjaga.migrate import upgrade

    old = tmp_path / "old.db"
    upgrade(Settings(database_url=f"sqlite:///{old}", data_dir=tmp_path / "old-data"), "0001_foundation")
    _edit(old, "PRAGMA journal_mode=DELETE")
    before = old.read_bytes()
    r = runner.invoke(app, ["db", "restore", str(old), "--database-url", database_url])
    assert r.exit_code == 0, r.output
    assert "schema migrated from 0001_foundation" in r.output
    assert old.read_bytes() == before  # the backup itself is never changed
    r = runner.invoke(app, ["db", "verify", "--database-url", database_url])
    assert r.exit_code == 0, r.output


def test_verify_on_postgresql(pg_server, tmp_path):
    """PostgreSQL is restored with pg_restore into a new database, then checked with
    ``db verify`` before it is renamed into place; a rewritten entry is refused."""
    from sqlalchemy import text

    from salingjaga.core.db import Database
    from salingjaga.core.settings import Settings
    from salingjaga.migrate import upgrade
    from salingjaga.partners.service import create_partner

    url = pg_server.create_database("salingjaga_restored")
    upgrade(Settings(database_url=url, data_dir=tmp_path / "pg-data"))
    db = Database(url)
    with db.session() as s:
        create_partner(s, name="Perludem", kind="civil_society")
    r = runner.invoke(app, ["db", "verify", "--database-url", url])
    assert r.exit_code == 0, r.output
    assert "audit chain intact (1 entries)" in r.output
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'someone else' WHERE position = 1"))
    db.dispose()
    r = runner.invoke(app, ["db", "verify", "--database-url", url])
    assert r.exit_code == 1
    assert "the audit chain is broken at entry 1" in r.output
    r = runner.invoke(app, ["db", "restore", str(tmp_path / "x.db"), "--database-url", url])
    assert r.exit_code == 1 and "db verify" in r.output
