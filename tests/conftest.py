"""Test fixtures: a migrated database per test (SQLite by default, PostgreSQL with
``--postgres`` or ``SALINGJAGA_TEST_DB=postgres``), the app, and API helpers."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from salingjaga.app import create_app
from salingjaga.core.db import Base, Database
from salingjaga.core.settings import Settings
from salingjaga.migrate import upgrade
from salingjaga.wiring import wire
from tests.support import services

# The same handlers as the server and the worker: tests dispatch messages without an app too.
wire()

IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--postgres", action="store_true", help="run against a real PostgreSQL")


def use_postgres(config: pytest.Config) -> bool:
    return bool(config.getoption("--postgres")) or os.environ.get("SALINGJAGA_TEST_DB") == "postgres"


def skip_or_fail(reason: str) -> None:
    """Skip on a laptop without the service; fail in CI, where it must be present."""
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[services.PostgresServer]:
    """A PostgreSQL server for this test session."""
    try:
        server = services.start_postgres()
    except (FileNotFoundError, OSError) as exc:
        skip_or_fail(f"PostgreSQL unavailable: {exc}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[services.RedisServer]:
    """A Redis server for this test session."""
    try:
        server = services.start_redis()
    except (FileNotFoundError, OSError) as exc:
        skip_or_fail(f"Redis unavailable: {exc}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def _template(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database: a SQLite file to copy, or a PostgreSQL database to truncate."""
    if use_postgres(request.config):
        server: services.PostgresServer = request.getfixturevalue("pg_server")
        url = server.create_database("salingjaga_test")
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('template') / 'template.db'}"
    settings = Settings(database_url=url, data_dir=tmp_path_factory.mktemp("tpl-data"))
    upgrade(settings)
    if url.startswith("sqlite"):
        import sqlite3

        conn = sqlite3.connect(url.split("///", 1)[1])
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.close()
    return url


def _truncate_all(url: str) -> None:
    db = Database(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE TABLE {tables} RESTART IDENTITY CASCADE"))
    db.dispose()


@pytest.fixture
def database_url(_template: str, tmp_path: Path) -> str:
    """A fresh, migrated, empty database for one test."""
    if _template.startswith("sqlite"):
        src = Path(_template.split("///", 1)[1])
        dst = tmp_path / "test.db"
        shutil.copyfile(src, dst)
        return f"sqlite:///{dst}"
    _truncate_all(_template)
    from salingjaga.detection.bank_cache import forget

    forget()  # workers' banks of the emptied database
    return _template


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings for one test: its database, its data dir, scanning inline."""
    return Settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        stream="inline",
        rate_limit_per_minute=100000,
    )


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    """Direct database access for arranging and checking state."""
    database = Database(settings.database_url)
    yield database
    database.dispose()


@pytest.fixture
def app(settings: Settings) -> Any:
    """The application under test."""
    return create_app(settings)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    """An HTTP client for the app (lifespan run)."""
    with TestClient(app, raise_server_exceptions=True) as c:
        yield c


class World:
    """Creates partners, users and keys directly, so tests read as the user story."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def partner(self, name: str = "Bawaslu RI", kind: str = "election_supervisor",
                region: str | None = None, organisation: str | None = "bawaslu",
                trusted: bool = True, policies: list[str] | None = None) -> str:
        from salingjaga.partners.service import create_partner

        with self.db.session() as s:
            p = create_partner(s, name=name, kind=kind, region=region, organisation=organisation,
                               trusted=trusted,
                               policies=policies if policies is not None else (
                                   ["misinformation", "civic_election_integrity"] if trusted else []))
            return p.id

    def user(self, role: str, partner_id: str | None = None, name: str | None = None,
             email: str | None = None, password: str | None = None) -> tuple[str, str]:
        """Create a user; returns (user_id, api_key)."""
        from salingjaga.auth.service import create_api_key, create_user

        with self.db.session() as s:
            u = create_user(s, name=name or f"test {role}", role=role, partner_id=partner_id,
                            email=email, password=password)
            return u.id, create_api_key(s, u.id)

    def key(self, role: str, partner_id: str | None = None) -> str:
        """An API key for a new user with this role."""
        return self.user(role, partner_id)[1]


@pytest.fixture
def world(db: Database) -> World:
    """Arrange partners, users and keys."""
    return World(db)


def bearer(key: str) -> dict[str, str]:
    """Authorization header for an API key."""
    return {"Authorization": f"Bearer {key}"}
