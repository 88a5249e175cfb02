"""The outbox relay inside a server: sends the stream messages a failed publish or a dead
server left in the outbox (``stream.outbox``).

With Redis every server relays, every ``outbox_relay_seconds``, the messages older than
``outbox_grace_seconds`` (younger ones are still being delivered by their own request).
The in-memory queue of the embedded default lives and dies with its one process, so that
server relays once, at start, what its previous run staged and never handled. Never with
``inline``, whose publish handles the message before the request ends."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from salingjaga.core.db import Database
from salingjaga.core.periodic import start_periodic
from salingjaga.core.settings import Settings
from salingjaga.core.timeutil import utcnow
from salingjaga.stream.base import Transport
from salingjaga.stream.outbox import relay

log = logging.getLogger("salingjaga.stream.background")


def start(db: Database, transport: Transport, settings: Settings) -> Callable[[], None]:
    """Start relaying; returns the callable that stops it."""
    if settings.stream == "inline":
        return lambda: None
    if not transport.durable:
        try:
            relay(db, transport, older_than=utcnow(), limit=None)
        except Exception:
            log.exception("relaying the outbox at start failed")
        return lambda: None
    grace = timedelta(seconds=settings.outbox_grace_seconds)
    return start_periodic("salingjaga-outbox-relay", settings.outbox_relay_seconds,
                          lambda: relay(db, transport, older_than=utcnow() - grace), log=log,
                          failure="outbox relay failed; will retry")
