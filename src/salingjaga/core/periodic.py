"""One shape for the periodic work done in the background (audit chaining, moderation
maintenance, transparency rollups, the outbox relay): a named daemon thread that runs a step every
``interval`` seconds, logs a failed step and tries again next time, and stops when asked."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from salingjaga.core.db import Database
    from salingjaga.core.settings import Settings


def start_periodic(name: str, interval: float, step: Callable[[], object], *, log: logging.Logger,
                   failure: str, final: Callable[[], object] | None = None,
                   join_timeout: float = 30.0) -> Callable[[], None]:
    """Run ``step`` every ``interval`` seconds in a thread called ``name`` (and ``final``
    once after the last step); returns the callable that stops the thread."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(interval):
            try:
                step()
            except Exception:  # keep the thread alive; the next pass retries
                log.exception(failure)
        if final is not None:
            final()

    thread = threading.Thread(target=loop, name=name, daemon=True)
    thread.start()

    def stopper() -> None:
        stop.set()
        thread.join(timeout=join_timeout)

    return stopper


Starter = Callable[["Database", object, "Settings"], Callable[[], None]]
_starters: list[Starter] = []


def register_domain_task(start: Starter) -> None:
    """Add a domain's ``start(db, stream, settings)`` (its ``background.py``); the app's
    wiring registers them, since this core module imports no domain. Registering twice is
    harmless."""
    if start not in _starters:
        _starters.append(start)


def start_domain_tasks(db: Database, stream: object, settings: Settings,
                       process: Literal["server", "worker"]) -> Callable[[], None]:
    """Start every registered domain's periodic work (``register_domain_task``: each
    ``start(db, stream, settings)`` returns its stopper) if ``settings.periodic`` names this kind of
    ``process``; returns one stopper for all. ``stream`` is the process's
    ``stream.base.Transport``, handed on as it is (this core module knows no domain).

    An API process's lifespan calls it as ``"server"``, ``salingjaga worker`` as
    ``"worker"``: one kind of process runs the work, never both."""
    wanted = settings.periodic == process
    stops = [start(db, stream, settings) for start in _starters] if wanted else []

    def stop_all() -> None:
        for stop in reversed(stops):
            stop()

    return stop_all
