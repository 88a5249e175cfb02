"""Expected failures of the command line answer with one line and a non-zero exit, never a
traceback: a database without the schema, a busy port, a missing service binary, a bad
argument. Run as the ``salingjaga`` command runs (a process), so the entry point is what is
tested."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

MAIN = "from salingjaga.cli import main; main()"


def sj(*args: str, tmp: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {**os.environ, "SALINGJAGA_DATABASE_URL": f"sqlite:///{tmp / 'fresh.db'}",
            "SALINGJAGA_DATA_DIR": str(tmp / "data"), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-c", MAIN, *args], capture_output=True, text=True, timeout=300,
                          env={**base, **(env or {})})


def one_line_error(r: subprocess.CompletedProcess[str]) -> str:
    assert r.returncode != 0
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout, r.stderr[-2000:]
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, r.stderr
    return lines[0]


def test_demo_load_before_db_upgrade_says_to_upgrade(tmp_path: Path) -> None:
    line = one_line_error(sj("demo", "load", tmp=tmp_path))
    assert "salingjaga db upgrade" in line


def test_db_upgrade_says_what_it_did(tmp_path: Path) -> None:
    first = sj("db", "upgrade", tmp=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "created the schema on a new sqlite database" in first.stderr
    again = sj("db", "upgrade", tmp=tmp_path)
    assert "nothing to apply" in again.stderr


def test_serve_on_a_busy_port_gives_a_hint(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = one_line_error(sj("serve", "--port", str(port), "--no-migrate", tmp=tmp_path))
    assert f"port {port}" in line and "already in use" in line and "--port" in line


def test_cluster_up_without_redis_server_is_one_line(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    # only the Python running the tests on PATH: no redis-server, no PostgreSQL
    (bin_dir / "python3").symlink_to(sys.executable)
    r = sj("cluster", "up", "--dir", str(tmp_path / "cluster"), tmp=tmp_path,
           env={"PATH": str(bin_dir), "SALINGJAGA_PG_BIN": str(tmp_path / "none")})
    line = one_line_error(r)
    assert "not found" in line and "apt-get install" in line


def test_a_bad_role_is_refused_with_the_roles(tmp_path: Path) -> None:
    r = sj("users", "create", "--name", "X", "--role", "boss", tmp=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "moderator" in r.stderr and "partner_reporter" in r.stderr


def test_help_lists_roles_and_shows_no_bool_placeholders(tmp_path: Path) -> None:
    r = sj("users", "create", "--help", tmp=tmp_path)
    assert r.returncode == 0
    assert "<bool>" not in r.stdout and "senior_moderator" in r.stdout
