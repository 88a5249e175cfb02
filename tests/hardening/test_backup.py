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
    from salingjaga.db import Database
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
