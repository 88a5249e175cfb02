"""Shared arrangements for the stream tests: a migrated PostgreSQL database, settings for a
private stream, and worker processes started the way operators start them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from salingjaga.core.settings import Settings
from salingjaga.migrate import upgrade

WORKER_MAIN = "from salingjaga.cli import main; main()"


def pg_settings(pg_server, redis_server, tmp_path: Path, name: str, **overrides) -> Settings:
    """Settings on a fresh migrated PostgreSQL database and a stream of its own."""
    url = pg_server.create_database(name)
    values = {"stream_claim_idle_ms": 1000, "stream_block_ms": 200, "rate_limit_per_minute": 100000,
              **overrides}
    settings = Settings(database_url=url, redis_url=redis_server.url, stream="redis",
                        data_dir=tmp_path / "data", stream_name=f"test:{name}", **values)
    upgrade(settings)
    return settings


def env_for(settings: Settings) -> dict[str, str]:
    """The environment a worker or API process reads its settings from."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALINGJAGA_")}
    for key in ("database_url", "redis_url", "stream", "data_dir", "stream_name", "stream_claim_idle_ms",
                "stream_block_ms", "stream_max_attempts", "stream_batch", "rate_limit_per_minute",
                "audit_deferred", "periodic", "metrics_token"):
        env[f"SALINGJAGA_{key.upper()}"] = str(getattr(settings, key))
    return env


def start_worker(settings: Settings, consumer: str, log: Path) -> subprocess.Popen[bytes]:
    """A real ``salingjaga worker`` process."""
    return subprocess.Popen(
        [sys.executable, "-c", WORKER_MAIN, "worker", "--consumer", consumer],
        env=env_for(settings), stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop a child we started, by PID."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_for(condition: Callable[[], bool], timeout: float = 60.0, what: str = "condition") -> None:
    """Poll until ``condition`` holds; fails the test (never asserts on time itself)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what}")
