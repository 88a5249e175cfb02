"""What every command uses: settings from the environment, an open database, and the two
ways of answering (JSON for scripts, a line for people; an error and a non-zero exit).

The domains' commands (``<domain>/cli.py``) import these from here, not from
``salingjaga.cli``: the command line application imports every domain, and a domain must
not import what imports it. ``salingjaga.cli`` registers the wiring that ``open_db`` runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import typer
from rich.console import Console

from salingjaga.core.db import Database
from salingjaga.core.settings import Settings

console = Console(stderr=True)

_on_open: list[Callable[[], None]] = []


def on_open(hook: Callable[[], None]) -> None:
    """Run ``hook`` whenever a command opens the database (``salingjaga.cli`` registers
    ``wiring.wire`` so every command's process handles messages as the API does)."""
    if hook not in _on_open:
        _on_open.append(hook)


def make_settings(database_url: str | None = None, **overrides: Any) -> Settings:
    """Settings from the environment, with command-line overrides."""
    if database_url:
        overrides["database_url"] = database_url
    settings = Settings(**overrides)
    settings.ensure_dirs()
    return settings


def open_db(settings: Settings) -> Database:
    """A Database for a command, after the ``on_open`` hooks: ``salingjaga.cli``'s wiring
    imports every model and wires the domains to the stream (a command may handle messages:
    ``salingjaga worker``, ``demo load``)."""
    for hook in _on_open:
        hook()
    return Database(settings.database_url, audit_deferred=settings.audit_deferred)


def emit(data: Any, as_json: bool, human: str | None = None) -> None:
    """Print JSON for scripts or a line for people."""
    if as_json:
        typer.echo(json.dumps(data, default=str, ensure_ascii=False))
    else:
        typer.echo(human if human is not None else json.dumps(data, indent=2, default=str))


def fail(message: str, code: int = 1) -> None:
    """Print an error and exit non-zero."""
    console.print(f"[red]error:[/red] {message}", soft_wrap=True)  # one line, for logs and grep
    raise typer.Exit(code)


_NO_SCHEMA = ("no such table", "undefinedtable", "does not exist")


def explain(exc: BaseException) -> str | None:
    """One line for an expected failure of a command (a database without the schema, a busy
    port, a missing service binary, a refused request), or None for a bug (a traceback)."""
    import errno

    from sqlalchemy.exc import OperationalError, ProgrammingError

    from salingjaga.core.errors import APIError

    if isinstance(exc, APIError):
        return exc.message
    if isinstance(exc, OperationalError | ProgrammingError):
        text = str(exc.orig).lower() if exc.orig is not None else str(exc).lower()
        if any(marker in text for marker in _NO_SCHEMA) or "undefinedtable" in type(exc.orig).__name__.lower():
            return "the database has no SalingJaga schema (or an older one): run `salingjaga db upgrade` first"
        first = str(exc.orig or exc).strip().splitlines()[0] if str(exc.orig or exc).strip() else type(exc).__name__
        return f"the database cannot be used: {first}"
    if isinstance(exc, FileNotFoundError) and not exc.filename:
        return str(exc)  # a service binary missing: the message names the package to install
    if isinstance(exc, OSError) and exc.errno == errno.EADDRINUSE:
        return f"a port is already in use ({exc.strerror}); stop what listens there or choose another port"
    return None


def _quiet_flags() -> None:
    """Help without a ``<bool>`` type column on every flag: a flag takes no value."""
    from typer.core import TyperOption

    shown = TyperOption.display_type_rich
    if getattr(shown, "quiet_flags", False):
        return

    def display_type_rich(self: TyperOption, ctx: Any) -> str | None:
        return None if self.is_flag else shown(self, ctx)

    display_type_rich.quiet_flags = True  # type: ignore[attr-defined]
    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


def run_app(app: typer.Typer) -> None:
    """Run the command line; an expected failure prints one line and exits 1."""
    _quiet_flags()
    try:
        app()
    except Exception as exc:  # anything not explained is a bug and keeps its traceback
        message = explain(exc)
        if message is None:
            raise
        console.print(f"[red]error:[/red] {message}", soft_wrap=True)
        raise SystemExit(1) from None
