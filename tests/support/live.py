"""A live server for tests that talk HTTP as clients do: uvicorn on 127.0.0.1 over the
test's migrated database, stopped by PID."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from salingjaga.client import Client
from tests.support.services import free_port


@pytest.fixture
def live(settings: Any, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """uvicorn serving the app over the test's migrated database, stopped by PID; with the
    environment a ``salingjaga`` command needs to reach the same database."""
    port = free_port()
    env = {**os.environ, "SALINGJAGA_DATABASE_URL": settings.database_url,
           "SALINGJAGA_DATA_DIR": str(settings.data_dir), "SALINGJAGA_STREAM": "inline",
           "SALINGJAGA_RATE_LIMIT_PER_MINUTE": "100000", "PYTHONPATH": os.pathsep.join(sys.path)}
    log_path = tmp_path / "uvicorn.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "salingjaga.app:create_app", "--factory",
                                 "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                                env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while not Client(base).healthy():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("uvicorn did not start: " + log_path.read_text(errors="replace")[-2000:])
        time.sleep(0.2)
    yield base, env
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
