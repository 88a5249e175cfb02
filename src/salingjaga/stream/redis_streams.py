"""The Redis Streams transport: the API appends with XADD, ``salingjaga worker`` processes
on any machine consume through one consumer group (see ``stream/worker.py``). Connections,
key names and figures are in ``stream/redis_client.py`` (the layout in Redis is described
there).
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from salingjaga.core.db import Database
from salingjaga.core.settings import Settings
from salingjaga.stream.redis_client import Keys, connect, connect_publisher, ensure_group, stream_stats
from salingjaga.stream.worker import Worker, default_consumer_name

__all__ = ["Keys", "RedisTransport", "connect", "connect_publisher", "ensure_group", "stream_stats"]

log = logging.getLogger("salingjaga.stream")


class RedisTransport:
    """Publishes to a Redis stream; optionally runs consumer threads in this process.

    API servers normally run none (``stream_inprocess_workers=0``): scanning happens in
    separate ``salingjaga worker`` processes, so API servers stay stateless and small.
    """

    durable = True  # Redis holds the message once XADD returns

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self.keys = Keys(settings)
        self.client = connect(settings)
        self.publisher = connect_publisher(settings)
        self._group_ready = False
        self._lock = threading.Lock()
        self._workers: list[Worker] = []
        self._threads: list[threading.Thread] = []

    def _ensure_group(self) -> None:
        if not self._group_ready:
            with self._lock:
                if not self._group_ready:
                    ensure_group(self.publisher, self.settings)
                    self._group_ready = True

    def publish(self, topic: str, payload: dict[str, Any]) -> None:
        """XADD the message; once this returns, Redis holds it for the consumer group."""
        self._ensure_group()
        self.publisher.xadd(
            self.keys.stream,
            {"topic": topic, "payload": json.dumps(payload, separators=(",", ":"), default=str)},
        )

    def start(self) -> None:
        """Start ``stream_inprocess_workers`` consumer threads (none by default)."""
        if self._threads or self.settings.stream_inprocess_workers <= 0:
            return
        base = default_consumer_name()
        for i in range(self.settings.stream_inprocess_workers):
            worker = Worker(self.db, self.settings, consumer=f"{base}-t{i}")
            thread = threading.Thread(target=worker.run, name=f"salingjaga-stream-{i}", daemon=True)
            self._workers.append(worker)
            self._threads.append(thread)
            thread.start()

    def stop(self) -> None:
        """Stop the consumer threads (each finishes its current message) and disconnect."""
        for worker in self._workers:
            worker.stop()
        for thread in self._threads:
            thread.join(timeout=30)
        self._workers.clear()
        self._threads.clear()
        self.client.close()
        self.publisher.close()

    def pending(self) -> int:
        """Messages not yet handled: lag (never delivered) plus pending (not yet acked)."""
        stats = stream_stats(self.client, self.settings)
        return int(stats["lag"]) + int(stats["pending"])

    def stats(self) -> dict[str, Any]:
        """The full ``stream_stats`` for metrics and the CLI."""
        return stream_stats(self.client, self.settings)
