"""A real uvicorn serving the app over a test's migrated database on 127.0.0.1, for browser
tests; stopped by its PID."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.services import free_port


@contextmanager
def serve(settings: Any, **env: str) -> Iterator[str]:
    """Serve the app for ``settings`` (extra ``SALINGJAGA_*`` variables in ``env``) and yield
    its base URL; ``{base}`` in a value is replaced by that URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    environ = {**os.environ, "SALINGJAGA_DATABASE_URL": settings.database_url,
               "SALINGJAGA_DATA_DIR": str(settings.data_dir), "SALINGJAGA_STREAM": "inline",
               "SALINGJAGA_RATE_LIMIT_PER_MINUTE": "100000",
               **{k: v.replace("{base}", base) for k, v in env.items()}}
    log_path = Path(str(settings.data_dir)).parent / "uvicorn.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "salingjaga.app:create_app", "--factory",
                                 "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                                env=environ, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("uvicorn did not start: " + log_path.read_text(errors="replace")[-2000:])
                time.sleep(0.2)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
