"""A production-shaped cluster on one machine: PostgreSQL, Redis, N stateless API processes
and M stream workers, all on 127.0.0.1, for development and the benchmarks.

State (PIDs, ports, URLs) is kept in ``<dir>/cluster.json`` so ``down`` stops exactly the
processes ``up`` started, by PID, after checking each PID still runs the same program.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from salingjaga.dev.servers import (
    PostgresServer,
    pid_alive,
    port_free,
    start_postgres,
    start_redis,
    stop_pid,
    wait_port,
)

WORKER_MAIN = "from salingjaga.cli import main; main()"


def _noop(_: str) -> None:
    return None


def spawn_api(port: int, env: dict[str, str], log: Path) -> int:
    """One uvicorn process serving the app factory on 127.0.0.1:``port``; its PID."""
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "salingjaga.app:create_app", "--factory",
             "--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning"],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    return proc.pid


def spawn_worker(name: str, env: dict[str, str], log: Path, metrics_port: int | None = None) -> int:
    """One ``salingjaga worker`` process; its PID."""
    args = [sys.executable, "-c", WORKER_MAIN, "worker", "--consumer", name]
    if metrics_port:
        args += ["--metrics-port", str(metrics_port)]
    with open(log, "ab") as out:
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    return proc.pid


def wait_healthy(url: str, timeout: float = 120.0, pid: int | None = None, log: Path | None = None) -> None:
    """Wait until ``url``/healthz answers 200.

    With ``pid``, a process that exits while starting fails at once instead of after the
    timeout; the error carries the tail of ``log`` so the reason is in front of the operator.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        if pid is not None and not pid_alive(pid):
            raise RuntimeError(f"{url}: process {pid} exited while starting{_log_tail(log)}")
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not become healthy in {timeout}s{_log_tail(log)}")


def _log_tail(log: Path | None, lines: int = 30) -> str:
    if log is None or not log.exists():
        return ""
    tail = log.read_text(errors="replace").splitlines()[-lines:]
    return f"; last lines of {log}:\n" + "\n".join(tail)


def service_env(database_url: str, redis_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    """Environment for API and worker processes of a Redis-stream deployment."""
    env = dict(os.environ)
    env.update({
        "SALINGJAGA_DATABASE_URL": database_url,
        "SALINGJAGA_STREAM": "redis",
        "SALINGJAGA_REDIS_URL": redis_url,
        "SALINGJAGA_DATA_DIR": str(data_dir),
        "SALINGJAGA_LOG_JSON": "true",
        "SALINGJAGA_AUDIT_DEFERRED": "true",
        **extra,
    })
    return env


class Cluster:
    """The processes of one local cluster, described by ``<dir>/cluster.json``."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory.resolve()
        self.state_file = self.dir / "cluster.json"

    def state(self) -> dict[str, Any]:
        """The saved state, or an empty one."""
        if self.state_file.exists():
            data: dict[str, Any] = json.loads(self.state_file.read_text())
            return data
        return {"processes": []}

    def _save(self, state: dict[str, Any]) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        self.state_file.write_text(json.dumps(state, indent=2))

    def running(self) -> bool:
        """Whether any recorded process is still alive."""
        return any(_same_process(p) for p in self.state()["processes"])

    def up(self, apis: int = 2, workers: int = 2, api_port: int = 8001, pg_port: int = 55432,
           redis_port: int = 56379, demo: bool = False,
           progress: Callable[[str], None] = _noop) -> dict[str, Any]:
        """Start everything, migrate, wait for health; returns the saved state."""
        from salingjaga.core.settings import Settings
        from salingjaga.migrate import upgrade

        logs = self.dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        state: dict[str, Any] = {"dir": str(self.dir), "processes": []}
        try:
            progress(f"PostgreSQL on 127.0.0.1:{pg_port}")
            pg = start_postgres(self.dir / "postgres", port=pg_port, durable=True)
            state["processes"].append({"name": "postgres", "pid": pg.pid, "kind": "postgres",
                                       "match": "postgres"})
            self._save(state)
            database_url = pg.create_database("salingjaga", drop=False)
            progress(f"Redis on 127.0.0.1:{redis_port}")
            rs = start_redis(self.dir / "redis", port=redis_port, durable=True)
            state["processes"].append({"name": "redis", "pid": rs.pid, "kind": "redis", "match": "redis-server"})
            self._save(state)
            data_dir = self.dir / "data"
            settings = Settings(database_url=database_url, redis_url=rs.url, stream="redis", data_dir=data_dir)
            progress("migrating")
            upgrade(settings)
            # With workers, they run the periodic work and the API processes only serve.
            env = service_env(database_url, rs.url, data_dir, **({"SALINGJAGA_PERIODIC": "worker"} if workers else {}))
            if demo:
                subprocess.run([sys.executable, "-c", WORKER_MAIN, "demo", "load"], env=env, check=True,
                               capture_output=True)
            busy = [api_port + i for i in range(apis) if not port_free(api_port + i)]
            if busy:
                raise RuntimeError(f"API port(s) already in use on 127.0.0.1: {busy}; choose another --api-port")
            urls = []
            starting: list[tuple[str, int, Path]] = []
            for i in range(apis):
                port = api_port + i
                log = logs / f"api-{i + 1}.log"
                pid = spawn_api(port, env, log)
                url = f"http://127.0.0.1:{port}"
                urls.append(url)
                starting.append((url, pid, log))
                state["processes"].append({"name": f"api-{i + 1}", "pid": pid, "kind": "api",
                                           "match": "uvicorn", "url": url})
                self._save(state)
            for i in range(workers):
                pid = spawn_worker(f"local-worker-{i + 1}", env, logs / f"worker-{i + 1}.log")
                state["processes"].append({"name": f"worker-{i + 1}", "pid": pid, "kind": "worker",
                                           "match": "worker"})
                self._save(state)
            for url, pid, log in starting:
                wait_healthy(url, pid=pid, log=log)
            state.update({"database_url": database_url, "redis_url": rs.url, "api_urls": urls})
            self._save(state)
            progress(f"cluster up: {', '.join(urls)}; logs in {logs}")
            return state
        except BaseException:
            self.down(progress=progress)
            raise

    def down(self, purge: bool = False, progress: Callable[[str], None] = _noop) -> None:
        """Stop workers and APIs (SIGTERM), then Redis, then PostgreSQL (fast shutdown)."""
        order = {"worker": 0, "api": 1, "redis": 2, "postgres": 3}
        for p in sorted(self.state()["processes"], key=lambda p: order.get(p["kind"], 9)):
            if _same_process(p):
                progress(f"stopping {p['name']} (pid {p['pid']})")
                stop_pid(int(p["pid"]), signal.SIGINT if p["kind"] == "postgres" else signal.SIGTERM, timeout=30)
        if self.state_file.exists():
            self.state_file.unlink()
        if purge:
            shutil.rmtree(self.dir, ignore_errors=True)

    def status(self) -> dict[str, Any]:
        """Each recorded process with whether it is alive (and healthy, for APIs)."""
        out = []
        for p in self.state()["processes"]:
            alive = _same_process(p)
            if alive and p.get("url"):
                try:
                    alive = httpx.get(f"{p['url']}/healthz", timeout=2).status_code == 200
                except httpx.HTTPError:
                    alive = False
            out.append({**p, "alive": alive})
        return {"processes": out}


def _same_process(p: dict[str, Any]) -> bool:
    # Guard against PID reuse: the PID must still run the program we started.
    pid = int(p["pid"])
    if not pid_alive(pid):
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return True
    return str(p.get("match", "")) in cmdline


__all__ = ["Cluster", "PostgresServer", "service_env", "spawn_api", "spawn_worker", "wait_healthy", "wait_port"]
