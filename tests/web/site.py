"""A live site for whole-UI browser tests: a migrated SQLite file with the demo world (every
role has a person who can sign in, cases in each queue, a decision under second review),
served by uvicorn on 127.0.0.1 and stopped by PID; and one headless Debian Chromium."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import skip_or_fail
from tests.support.services import free_port

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


@dataclass
class Site:
    """The base URL and who can sign in, one person per role."""

    base: str
    people: dict[str, str]  # role -> e-mail
    password: str


@contextmanager
def live_server(database_url: str, data_dir: Path, log_path: Path, **extra_env: str) -> Iterator[str]:
    """uvicorn serving the app over ``database_url`` on a free 127.0.0.1 port; yields the
    base URL and stops the process by PID afterwards."""
    port = free_port()
    env = {**os.environ, "SALINGJAGA_DATABASE_URL": database_url, "SALINGJAGA_DATA_DIR": str(data_dir),
           "SALINGJAGA_STREAM": "inline", "SALINGJAGA_RATE_LIMIT_PER_MINUTE": "100000", **extra_env}
    log = open(log_path, "wb")  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "salingjaga.app:create_app", "--factory",
                             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
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
        log.close()


@contextmanager
def headless_chromium() -> Iterator[Any]:
    """Debian's Chromium, headless (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def build_demo(folder: Path) -> tuple[str, Path]:
    """A migrated SQLite database with the demo world loaded and its content scanned."""
    from salingjaga.core.db import Database
    from salingjaga.core.settings import Settings
    from salingjaga.demo.load import load_and_scan
    from salingjaga.migrate import upgrade

    url = f"sqlite:///{folder / 'site.db'}"
    data = folder / "data"
    settings = Settings(database_url=url, data_dir=data, stream="inline", rate_limit_per_minute=100000)
    upgrade(settings)
    load_and_scan(Database(url), settings)
    return url, data


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    from salingjaga.demo.load import DEMO_PASSWORD, USERS

    folder = tmp_path_factory.mktemp("site")
    url, data = build_demo(folder)
    people: dict[str, str] = {}
    for user in USERS:
        if user.get("email") and user["role"] not in people:
            people[user["role"]] = user["email"]
    with live_server(url, data, folder / "uvicorn.log") as base:
        yield Site(base, people, DEMO_PASSWORD)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One headless Chromium for the module."""
    with headless_chromium() as browser:
        yield browser


def sign_in(chromium: Any, site: Site, role: str, lang: str, width: int = 1280) -> Any:
    """A new browser context signed in as the role's demo person; returns its page. Any
    script error or dialog the page raises is recorded on ``page.problems``."""
    context = chromium.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20000)
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"script error: {e}"))
    page.problems = problems
    page.goto(f"{site.base}/login?lang={lang}")
    page.fill("#email", site.people[role])
    page.fill("#password", site.password)
    with page.expect_navigation():
        page.click("main form[action='/login'] button[type=submit]")
    return page
