"""`salingjaga cluster up` starts the production shape on loopback; `down` stops it all."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from salingjaga.dev.servers import free_port, free_port_run, pg_bin, pid_alive
from tests.conftest import skip_or_fail

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

MAIN = "from salingjaga.cli import main; main()"


def sj(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", MAIN, *args], capture_output=True, text=True, timeout=300,
                          env=env)


@pytest.fixture
def cluster_dir() -> Iterator[Path]:
    """A folder the postgres user can enter (pytest's own tmp folders are private to root)."""
    root = Path(tempfile.mkdtemp(prefix="sj-cluster-"))
    root.chmod(0o755)
    yield root / "cluster"
    shutil.rmtree(root, ignore_errors=True)


def _ports_outside(*taken: int) -> tuple[int, int]:
    """Two free ports distinct from each other and from ``taken`` (the API run)."""
    ports: list[int] = []
    while len(ports) < 2:
        port = free_port()
        if port not in taken and port not in ports:
            ports.append(port)
    return ports[0], ports[1]


def test_cluster_up_serves_scans_and_down_stops_every_process(cluster_dir):
    if not (pg_bin("initdb") and pg_bin("postgres")):
        skip_or_fail("PostgreSQL server binaries not installed (apt-get install postgresql)")
    if not shutil.which("redis-server"):
        skip_or_fail("redis-server not installed (apt-get install redis-server)")
    d = cluster_dir
    api = free_port_run(2)
    pg, rs = _ports_outside(api, api + 1)
    up = sj("cluster", "up", "--dir", str(d), "--apis", "2", "--workers", "2", "--api-port", str(api),
            "--pg-port", str(pg), "--redis-port", str(rs))
    try:
        assert up.returncode == 0, up.stderr[-2000:]
        state = json.loads(up.stdout)
        kinds = sorted(p["kind"] for p in state["processes"])
        assert kinds == ["api", "api", "postgres", "redis", "worker", "worker"]
        for url in state["api_urls"]:
            assert httpx.get(f"{url}/readyz").json()["database"] == "postgresql"
        env = {**os.environ, "SALINGJAGA_DATABASE_URL": state["database_url"], "SALINGJAGA_STREAM": "redis",
               "SALINGJAGA_REDIS_URL": state["redis_url"]}
        probe = sj("stream", "probe", "--count", "10", "--timeout", "120", "--json", env=env)
        assert probe.returncode == 0, probe.stderr[-2000:]
        assert json.loads(probe.stdout)["handled"] == 10
        assert sj("cluster", "status", "--dir", str(d)).returncode == 0
    finally:
        down = sj("cluster", "down", "--dir", str(d))
    assert down.returncode == 0, down.stderr[-2000:]
    assert not any(pid_alive(p["pid"]) for p in state["processes"])
    assert sj("cluster", "status", "--dir", str(d)).returncode == 1
