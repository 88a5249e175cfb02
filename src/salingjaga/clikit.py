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
