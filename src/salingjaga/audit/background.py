"""The chainer thread of deferred audit mode: moves pending events into the chain about
once a second. Several API processes may each run one; a try-lock lets one work at a time."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from fastapi import FastAPI

from salingjaga.audit.service import chain_all
from salingjaga.db import Database
from salingjaga.settings import Settings

log = logging.getLogger("salingjaga.audit")
INTERVAL_SECONDS = 1.0


def start(app: FastAPI, settings: Settings) -> Callable[[], None]:
    """Start chaining when the app's database is in deferred mode; return the stopper."""
    db: Database = app.state.db
    if not db.audit_deferred:
        return lambda: None
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(INTERVAL_SECONDS):
            try:
                chain_all(db)
            except Exception:
                log.exception("audit chaining failed; will retry")
        chain_all(db)  # leave nothing pending at shutdown

    thread = threading.Thread(target=loop, name="salingjaga-audit-chainer", daemon=True)
    thread.start()

    def stopper() -> None:
        stop.set()
        thread.join(timeout=30)

    return stopper
