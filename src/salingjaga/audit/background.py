"""The chainer thread of deferred audit mode: moves pending events into the chain about
once a second. Several processes may each run one; a try-lock lets one work at a time."""

from __future__ import annotations

import logging
from collections.abc import Callable

from salingjaga.audit.service import chain_all
from salingjaga.core.db import Database
from salingjaga.core.periodic import start_periodic
from salingjaga.core.settings import Settings

log = logging.getLogger("salingjaga.audit")
INTERVAL_SECONDS = 1.0


def start(db: Database, stream: object, settings: Settings) -> Callable[[], None]:
    """Start chaining when the database is in deferred mode; return the stopper. The stream
    is not used (the audit log sits below the stream, so it is typed here as ``object``)."""
    if not db.audit_deferred:
        return lambda: None
    return start_periodic("salingjaga-audit-chainer", INTERVAL_SECONDS, lambda: chain_all(db), log=log,
                          failure="audit chaining failed; will retry",
                          final=lambda: chain_all(db))  # leave nothing pending at shutdown
