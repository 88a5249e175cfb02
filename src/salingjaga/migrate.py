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
