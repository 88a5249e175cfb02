"""A live site for whole-UI browser tests: a migrated SQLite file with the demo world (every
role has a person who can sign in, cases in each queue, a decision under second review),
served by uvicorn on 127.0.0.1 (``tests.support.appserver``); and one headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support import appserver
from tests.support.appserver import serve


@dataclass
class Site:
    """The base URL and who can sign in, one person per role."""

    base: str
    people: dict[str, str]  # role -> e-mail
    password: str


def build_demo(folder: Path, scan: bool = True) -> Any:
    """Settings over a migrated SQLite database with the demo world loaded and (unless
    ``scan`` is False) its content scanned."""
    from salingjaga.core.db import Database
    from salingjaga.core.settings import Settings
    from salingjaga.demo.load import load_and_scan, load_demo
    from salingjaga.migrate import upgrade

    url = f"sqlite:///{folder / 'site.db'}"
    data = folder / "data"
    settings = Settings(database_url=url, data_dir=data, stream="inline", rate_limit_per_minute=100000)
    upgrade(settings)
    if scan:
        load_and_scan(Database(url), settings)
        return settings
    db = Database(url)
    try:
        with db.session() as session:
            load_demo(session, settings)
    finally:
        db.dispose()
    return settings


def add_notices(settings: Any, n: int, policies: tuple[str, ...] = ("misinformation",), batch: int = 500) -> None:
    """``n`` posts from an account of the demo, each noticed by the Jawa Barat reporter
    through the notices service, under ``policies`` in turn."""
    from sqlalchemy import select

    from salingjaga.auth.models import User
    from salingjaga.auth.service import principal_for_user
    from salingjaga.content.schemas import ContentIn
    from salingjaga.content.service import ingest_content
    from salingjaga.core.db import Database
    from salingjaga.notices.schemas import NoticeIn
    from salingjaga.notices.service import NoticeJob, submit_notices

    db = Database(settings.database_url)
    try:
        for start in range(0, n, batch):
            with db.session() as session:
                reporter = session.scalars(select(User).where(User.email == "agus@jabar.bawaslu.demo")).one()
                agus = principal_for_user(reporter)
                jobs = []
                for i in range(start, min(n, start + batch)):
                    item, _ = ingest_content(session, ContentIn(
                        platform_id=f"page-{i}", kind="text", account_id="acc-1002", region="32.73",
                        election="pemilu-2024", caption=f"Unggahan berulang nomor {i}: TPS dipindah tanpa pengumuman"),
                        settings.data_dir)
                    jobs.append(NoticeJob(NoticeIn(
                        content=[{"content_id": item.id}], policy=policies[i % len(policies)],
                        region="32", election="pemilu-2024", explanation=f"Informasi TPS palsu, laporan {i}.",
                        contact="agus@jabar.bawaslu.demo", good_faith=True), agus, f"paging-{i}"))
                for outcome in submit_notices(session, jobs, settings):
                    assert outcome.error is None, outcome.error
    finally:
        db.dispose()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    from salingjaga.demo.load import DEMO_PASSWORD, USERS

    settings = build_demo(tmp_path_factory.mktemp("site"))
    people: dict[str, str] = {}
    for user in USERS:
        if user.get("email") and user["role"] not in people:
            people[user["role"]] = user["email"]
    with serve(settings) as base:
        yield Site(base, people, DEMO_PASSWORD)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One headless Chromium for the module."""
    with appserver.chromium() as browser:
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
