"""For browser tests: a real uvicorn serving the app over a test's migrated database on
127.0.0.1 (stopped by its PID), and Debian's headless Chromium driven by Playwright."""

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

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


@contextmanager
def chromium() -> Iterator[Any]:
    """Headless Debian Chromium (never a downloaded browser); skipped, or failed in CI,
    where it is missing."""
    from tests.conftest import skip_or_fail

    if not Path(CHROMIUM).exists():
        skip_or_fail(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield b
        finally:
            b.close()


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
