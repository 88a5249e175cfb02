"""Keeps the transparency rollups fresh in the background.

A report rebuilds the days written since the last refresh before it answers; during an
election "today" changes all the time, so without this a report would pay seconds for it.
Started by the app's lifespan for the transports with in-process workers (``memory``,
``redis``), or by ``salingjaga worker`` with ``SALINGJAGA_PERIODIC=worker``; never with
``inline`` (tests and scripts keep every effect inside the request). Several processes may
run it: refreshes serialise on an advisory lock and the second finds nothing left to do.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from salingjaga.core.db import Database
from salingjaga.core.periodic import start_periodic
from salingjaga.core.settings import Settings
from salingjaga.transparency.rollup import refresh_rollup

if TYPE_CHECKING:
    from salingjaga.stream.base import Transport

log = logging.getLogger("salingjaga.transparency.background")


def run_once(db: Database) -> dict[str, Any]:
    """One refresh of every marked day, in its own transaction."""
    with db.session() as session:
        return refresh_rollup(session)


def start(db: Database, stream: Transport, settings: Settings) -> Callable[[], None]:
    """Start the refresh thread; returns the callable that stops it."""
    interval = settings.rollup_interval_seconds
    if settings.stream == "inline" or interval <= 0:
        return lambda: None

    def step() -> None:
        done = run_once(db)
        if done.get("days_rebuilt"):
            log.info("transparency rollup refreshed: %s", done)

    return start_periodic("salingjaga-transparency-rollup", interval, step, log=log,
                          failure="transparency rollup refresh failed", join_timeout=120)
