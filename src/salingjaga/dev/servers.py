"""Start PostgreSQL and Redis from the Debian packages on 127.0.0.1, for development, the
benchmarks and ``salingjaga cluster up``. Never used in production, where these services
are run by their own operators.

Each server runs from its own directory and is stopped by its PID. ``durable=True`` keeps
PostgreSQL's production settings (fsync, synchronous commit) so figures measured against it
mean what they say; the default trades durability for speed, as tests want.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

PG_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def free_port() -> int:
    """An unused TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_free(port: int) -> bool:
    """Whether 127.0.0.1:``port`` can be bound right now."""
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_port_run(count: int, attempts: int = 50) -> int:
    """The first of ``count`` consecutive unused ports on loopback (for ``cluster up``'s APIs)."""
    for _ in range(attempts):
        base = free_port()
        if base + count <= 65535 and all(port_free(base + i) for i in range(count)):
            return base
    raise RuntimeError(f"no run of {count} free ports found on 127.0.0.1")


def wait_port(port: int, timeout: float = 30.0) -> None:
    """Wait until something accepts connections on 127.0.0.1:``port``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


def pid_alive(pid: int) -> bool:
    """Whether a process with this PID exists (and is not a zombie)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rsplit(")", 1)[-1].split()[0] == "Z":
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            return False
    return True


def stop_pid(pid: int, sig: int = signal.SIGTERM, timeout: float = 20.0) -> None:
    """Signal ``pid`` and wait for it to exit; SIGKILL after ``timeout``."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        if not pid_alive(pid):
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def pg_bin(name: str) -> str | None:
    """Path of a PostgreSQL server binary, if installed."""
    for d in PG_BIN_DIRS:
        if (d / name).exists():
            return str(d / name)
    return shutil.which(name)


def _as_postgres(cmd: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; Debian's package creates a postgres user.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


FAST = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
DURABLE = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}


@dataclass
class PostgresServer:
    """A PostgreSQL cluster in ``root`` (data in ``root/data``)."""

    port: int
    root: Path
    temporary: bool = True

    @property
    def datadir(self) -> Path:
        """The data directory."""
        return self.root / "data"

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the ``postgres`` database."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def pid(self) -> int | None:
        """The postmaster's PID, from its pid file."""
        pid_file = self.datadir / "postmaster.pid"
        if not pid_file.exists():
            return None
        return int(pid_file.read_text().split()[0])

    def stop(self, remove: bool | None = None) -> None:
        """Fast shutdown by PID; removes the files of a temporary cluster."""
        pid = self.pid
        if pid is not None:
            stop_pid(pid, signal.SIGINT, timeout=30)
        if self.temporary if remove is None else remove:
            shutil.rmtree(self.root, ignore_errors=True)

    def create_database(self, name: str, drop: bool = True) -> str:
        """Create a database (dropping an old one unless ``drop=False``); its URL."""
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if exists and drop:
                conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            if not exists or drop:
                conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"


def start_postgres(root: Path | None = None, port: int | None = None, durable: bool = False,
                   conf: dict[str, str] | None = None) -> PostgresServer:
    """initdb (if ``root`` has no cluster yet) and start postgres on a loopback port.

    Trust authentication: it listens on 127.0.0.1 only and is for this machine's user.
    The server runs in its own session so it outlives the caller until ``stop``.
    """
    initdb, postgres = pg_bin("initdb"), pg_bin("postgres")
    if not initdb or not postgres:
        raise FileNotFoundError("PostgreSQL server binaries not found (apt-get install postgresql)")
    temporary = root is None
    root = Path(tempfile.mkdtemp(prefix="sj-pg-")) if root is None else root
    root.mkdir(parents=True, exist_ok=True)
    datadir = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    if not (datadir / "PG_VERSION").exists():
        datadir.mkdir(exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(datadir, "postgres", "postgres")
        done = subprocess.run(
            _as_postgres([initdb, "-D", str(datadir), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                          "--no-sync"]),
            capture_output=True, text=True,
        )
        if done.returncode != 0:
            # Typically: the postgres user cannot enter a parent folder (mode 700, owned by root).
            raise RuntimeError(f"initdb failed in {datadir}: {done.stderr.strip() or done.stdout.strip()}")
    port = port or free_port()
    settings = {**(DURABLE if durable else FAST), "max_connections": "300",
                "shared_buffers": "256MB", **(conf or {})}
    args = [postgres, "-D", str(datadir), "-p", str(port), "-h", "127.0.0.1", "-k", str(root)]
    for key, value in settings.items():
        args += ["-c", f"{key}={value}"]
    log = open(root / "postgres.log", "ab")  # noqa: SIM115 (handed to the child)
    subprocess.Popen(_as_postgres(args), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    wait_port(port)
    import psycopg

    # The server accepts connections a moment after it listens.
    for _ in range(200):
        try:
            psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=postgres").close()
            break
        except psycopg.OperationalError:
            time.sleep(0.05)
    return PostgresServer(port, root, temporary)


@dataclass
class RedisServer:
    """A Redis server run from ``workdir``."""

    port: int
    pid: int
    workdir: Path
    temporary: bool = True
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        """Its URL."""
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self, remove: bool | None = None) -> None:
        """Stop it by PID (SIGTERM: Redis writes its append-only file and exits)."""
        stop_pid(self.pid, signal.SIGTERM)
        if self.proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=5)
        if self.temporary if remove is None else remove:
            shutil.rmtree(self.workdir, ignore_errors=True)


def start_redis(workdir: Path | None = None, port: int | None = None, durable: bool = False) -> RedisServer:
    """redis-server on a loopback port. ``durable`` turns on the append-only file (fsync each
    second), as production should run it: acknowledged stream entries survive a restart."""
    exe = shutil.which("redis-server")
    if not exe:
        raise FileNotFoundError("redis-server not found (apt-get install redis-server)")
    temporary = workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="sj-redis-")) if workdir is None else workdir
    workdir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    args = [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(workdir),
            "--appendonly", "yes" if durable else "no", "--protected-mode", "yes"]
    log = open(workdir / "redis.log", "ab")  # noqa: SIM115 (handed to the child)
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    wait_port(port)
    return RedisServer(port, proc.pid, workdir, temporary, proc)
