"""The command line, as a script would use it."""

import json
import os
import subprocess
import sys

from typer.testing import CliRunner

from salingjaga.cli import app
from tests.conftest import bearer

runner = CliRunner()


def test_partners_and_users_create_print_json(database_url, client):
    r = runner.invoke(app, ["partners", "create", "--name", "Bawaslu Jawa Timur", "--kind",
                            "election_supervisor", "--region", "35", "--trusted", "--policies",
                            "misinformation,campaign_rules", "--json",
                            "--database-url", database_url])
    assert r.exit_code == 0, r.output
    partner = json.loads(r.stdout)
    assert partner["id"].startswith("prt_") and partner["api_key"].startswith("sj_")
    me = client.get("/api/v1/me", headers=bearer(partner["api_key"])).json()
    assert me["partner_id"] == partner["id"]
    r = runner.invoke(app, ["users", "create", "--name", "Dewi", "--role", "moderator", "--json",
                            "--database-url", database_url])
    assert r.exit_code == 0, r.output
    user = json.loads(r.stdout)
    assert client.get("/api/v1/me", headers=bearer(user["api_key"])).json()["role"] == "moderator"
    r = runner.invoke(app, ["users", "create", "--name", "X", "--role", "partner_reporter",
                            "--json", "--database-url", database_url])
    assert r.exit_code == 1 and "partner" in r.output


def test_bad_partner_kind_exits_nonzero(database_url):
    r = runner.invoke(app, ["partners", "create", "--name", "X", "--kind", "bank", "--json",
                            "--database-url", database_url])
    assert r.exit_code == 1
    assert "unknown partner kind" in r.output


def test_db_upgrade_and_demo_load_from_a_real_process(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    env = {**os.environ, "SALINGJAGA_DATA_DIR": str(tmp_path / "data"), "SALINGJAGA_STREAM": "inline"}
    exe = [sys.executable, "-m", "salingjaga"]
    subprocess.run([*exe, "db", "upgrade", "--database-url", url], check=True, env=env,
                   capture_output=True)
    out = subprocess.run([*exe, "demo", "load", "--json", "--database-url", url], check=True,
                         env=env, capture_output=True, text=True)
    creds = json.loads(out.stdout)
    roles = {u["role"] for u in creds["users"]}
    assert {"admin", "moderator", "senior_moderator", "partner_reporter", "fact_checker",
            "guide_editor", "service", "auditor"} <= roles
    assert (tmp_path / "data" / "demo-credentials.json").exists()
    again = subprocess.run([*exe, "demo", "load", "--json", "--database-url", url], check=True,
                           env=env, capture_output=True, text=True)
    assert json.loads(again.stdout)["users"] == []  # idempotent: nothing new, no keys reprinted
    verify = subprocess.run([*exe, "audit", "verify", "--json", "--database-url", url], env=env,
                            capture_output=True, text=True)
    assert verify.returncode == 0, verify.stderr
    assert json.loads(verify.stdout)["ok"] is True
