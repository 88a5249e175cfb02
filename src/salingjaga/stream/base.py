"""The two in-process transports of the embedded default, and the choice of transport
(the interface, ``Transport``, is in ``stream/types.py``)."""

from __future__ import annotations

import logging
import queue
import threading
from typing import Any

from salingjaga.core.db import Database
from salingjaga.core.settings import Settings
from salingjaga.stream.handlers import dispatch
from salingjaga.stream.outbox import done, split_key
from salingjaga.stream.types import Transport

__all__ = ["InlineTransport", "MemoryTransport", "Transport", "make_transport"]

log = logging.getLogger("salingjaga.stream")


class InlineTransport:
    """Handles each message synchronously in the publishing thread: deterministic, for tests
    and for scripts that want results before they return."""

    durable = True  # handled before publish returns

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings

    def publish(self, topic: str, payload: dict[str, Any]) -> None:
        """Handle the message now; errors are logged, never raised to the publisher."""
        try:
            dispatch(self.db, self.settings, topic, split_key(payload)[1], record_failures=True)
        except Exception:
            log.exception("handler failed", extra={"topic": topic})

    def start(self) -> None:
        """Nothing to start."""

    def stop(self) -> None:
        """Nothing to stop."""

    def pending(self) -> int:
        """Always zero: nothing waits."""
        return 0


class MemoryTransport:
    """A queue and one worker thread in the server process: the embedded default.

    The queue dies with the process, so a message staged in the outbox leaves it only once
    handled; the server relays at start what its previous run left (``stream.background``)."""

    durable = False

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self._queue: queue.Queue[tuple[str, dict[str, Any]] | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def publish(self, topic: str, payload: dict[str, Any]) -> None:
        """Queue the message for the worker thread."""
        self._queue.put((topic, payload))

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                topic, published = item
                key, payload = split_key(published)
                try:
                    dispatch(self.db, self.settings, topic, payload, record_failures=True)
                except Exception:
                    log.exception("handler failed", extra={"topic": topic})
                if key is not None:
                    # Handled, or failed for good: either way not to be sent again.
                    self._forget(key)
            finally:
                self._queue.task_done()

    def _forget(self, key: str) -> None:
        try:
            done(self.db, [key])
        except Exception:  # the relay at the next start sends it again; handlers are idempotent
            log.warning("could not clear outbox message %s", key, exc_info=True)

    def start(self) -> None:
        """Start the worker thread."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="salingjaga-worker", daemon=True)
            self._thread.start()

    def join(self) -> None:
        """Wait until everything queued so far is handled."""
        self._queue.join()

    def stop(self) -> None:
        """Finish queued work and stop the thread."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=30)
            self._thread = None

    def pending(self) -> int:
        """Messages waiting in the queue."""
        return self._queue.qsize()


def make_transport(db: Database, settings: Settings) -> Transport:
    """The transport named by ``SALINGJAGA_STREAM``."""
    if settings.stream == "inline":
        return InlineTransport(db, settings)
    if settings.stream == "memory":
        return MemoryTransport(db, settings)
    if settings.stream == "redis":
        from salingjaga.stream.redis_streams import RedisTransport

        transport: Transport = RedisTransport(db, settings)
        return transport
    raise ValueError(f"unknown stream transport {settings.stream!r}: inline, memory or redis")
