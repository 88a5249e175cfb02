"""Periodic moderation maintenance in the background: retry due webhook deliveries and put
cases whose lease ran out back in the queue.

Started by the app's lifespan (``start``) for the transports with in-process workers
(``memory``, ``redis``), or by ``salingjaga worker`` with ``SALINGJAGA_PERIODIC=worker``;
never with ``inline``, which tests and scripts use to keep every effect inside the request.
Several processes may run it at once: deliveries are claimed with
``FOR UPDATE SKIP LOCKED`` (PostgreSQL) or under SQLite's single writer, and a claim pushes
the next attempt out, so a delivery is sent by one of them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from salingjaga.core.db import Database
from salingjaga.core.periodic import start_periodic
from salingjaga.core.settings import Settings
from salingjaga.moderation.queue import expire_stale_leases
from salingjaga.moderation.webhooks import deliver_due

if TYPE_CHECKING:
    from salingjaga.stream.base import Transport

log = logging.getLogger("salingjaga.moderation.background")


def run_once(db: Database, settings: Settings) -> dict[str, Any]:
    """One maintenance pass; returns what it did."""
    with db.session() as session:
        expired = expire_stale_leases(session)
    counts = deliver_due(db, settings, limit=100)
    return {"expired_leases": expired, **counts}


def start(db: Database, stream: Transport, settings: Settings) -> Callable[[], None]:
    """Start the maintenance thread; returns the callable that stops it."""
    interval = settings.maintenance_interval_seconds
    if settings.stream == "inline" or interval <= 0:
        return lambda: None

    def step() -> None:
        done = run_once(db, settings)
        if any(done.values()):
            log.info("maintenance: %s", done)

    return start_periodic("salingjaga-moderation-maintenance", interval, step, log=log,
                          failure="moderation maintenance failed",
                          join_timeout=interval + settings.webhook_timeout_seconds * 2 + 5)
