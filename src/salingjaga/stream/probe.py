"""The ``probe`` topic: a stream health check that travels the same path as content.

``salingjaga stream probe`` inserts a row and publishes its id; whichever worker receives it
stamps the row. Unlike content scanning, the handler is deliberately *not* idempotent by
itself (it increments a counter), so a probe handled twice is visible: the stream receipts
are what keep it at one.
"""

from __future__ import annotations

import os
import socket
import time
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from salingjaga.core.settings import Settings
from salingjaga.core.timeutil import utcnow
from salingjaga.stream.models import StreamProbe


def handle_probe(session: Session, payload: dict[str, Any], settings: Settings) -> None:
    """Stamp the probe row with the time and the handling process."""
    if payload.get("fail"):
        # A probe that always fails: lets operators (and tests) see dead-lettering work.
        raise RuntimeError(f"probe {payload.get('probe_id')} asked to fail: {payload['fail']}")
    work_ms = min(float(payload.get("work_ms", 0) or 0), 5000.0)
    if work_ms > 0:
        # Stands in for scanning cost in capacity tests (``stream probe --work-ms``).
        time.sleep(work_ms / 1000)
    session.execute(
        update(StreamProbe)
        .where(StreamProbe.id == str(payload["probe_id"]))
        .values(handled_at=utcnow(), handled_by=f"{socket.gethostname()}:{os.getpid()}",
                handled_count=StreamProbe.handled_count + 1)
    )
