"""Running Alembic migrations from code (the CLI and the tests use this)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from salingjaga.core.settings import Settings


def alembic_config(database_url: str) -> Config:
    """An Alembic Config pointing at the package's migrations and this database."""
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(settings: Settings, revision: str = "heads") -> None:
    """Bring the schema up to date (every domain's branch: ``heads``)."""
    settings.ensure_dirs()
    command.upgrade(alembic_config(settings.database_url), revision)


def current_heads() -> list[str]:
    """The head revisions the code knows."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return list(script.get_heads())


def applied_revisions(database_url: str) -> set[str]:
    """The revisions a database is at (empty for a database without the schema)."""
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return set(MigrationContext.configure(conn).get_current_heads())
    finally:
        engine.dispose()


def pending_count(revisions: set[str]) -> int:
    """How many migrations lie between ``revisions`` and the code's heads."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    done: set[str] = set()
    for rev in revisions:
        done.update(r.revision for r in script.iterate_revisions(rev, "base"))
    return sum(1 for r in script.walk_revisions() if r.revision not in done)
