"""The Redis Streams transport: the API appends with XADD, ``salingjaga worker`` processes
on any machine consume through one consumer group (see ``stream/worker.py``).

Layout in Redis, all under ``settings.stream_name`` (``S``):
- ``S``: the stream; each entry has ``topic`` and ``payload`` (JSON);
- ``S:dead``: the dead-letter stream (entry, error, attempts);
- ``S:attempts`` / ``S:errors``: hashes by entry id, the attempts so far and the last error
  of entries not yet acknowledged.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any, cast

import redis
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from salingjaga.db import Database
from salingjaga.settings import Settings

log = logging.getLogger("salingjaga.stream")


def connect(settings: Settings) -> redis.Redis:
    """A client that retries briefly on connection errors (a Redis restart or failover)."""
    return redis.Redis.from_url(
        settings.redis_url,
        decode_responses=True,
        protocol=2,  # pin the reply shapes this module parses
        socket_timeout=max(5.0, settings.stream_block_ms / 1000 + 5.0),
        socket_connect_timeout=5.0,
        health_check_interval=30,
        retry=Retry(ExponentialBackoff(cap=2.0, base=0.05), 5),
        retry_on_error=[RedisConnectionError, RedisTimeoutError],
    )


def connect_publisher(settings: Settings) -> redis.Redis:
    """The API's client for publishing: one try with short timeouts. A message refused here
    waits in the outbox for the relay (``stream.outbox``), so a Redis that is down or
    unreachable costs a request a second at most instead of half a minute of retries."""
    return redis.Redis.from_url(settings.redis_url, decode_responses=True, protocol=2,
                                socket_timeout=2.0, socket_connect_timeout=1.0)


class Keys:
    """The Redis key names derived from the settings."""

    def __init__(self, settings: Settings) -> None:
        self.stream = settings.stream_name
        self.group = settings.stream_group
        self.dead = f"{settings.stream_name}:dead"
        self.attempts = f"{settings.stream_name}:attempts"
        self.errors = f"{settings.stream_name}:errors"


def ensure_group(client: redis.Redis, settings: Settings) -> None:
    """Create the stream and its consumer group if missing.

    The group starts at id 0, so entries appended before any worker existed are still read.
    """
    try:
        client.xgroup_create(settings.stream_name, settings.stream_group, id="0", mkstream=True)
    except ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


def _id_ms(entry_id: str | None) -> int | None:
    if not entry_id:
        return None
    try:
        return int(entry_id.split("-", 1)[0])
    except ValueError:
        return None


def stream_stats(client: redis.Redis, settings: Settings) -> dict[str, Any]:
    """Length, lag (appended but not yet delivered), pending (delivered, not acknowledged),
    dead letters, the age of the oldest waiting entry, and each consumer's state."""
    keys = Keys(settings)
    now_ms = int(time.time() * 1000)
    out: dict[str, Any] = {
        "stream": keys.stream, "group": keys.group, "length": 0, "lag": 0, "pending": 0,
        "dead_letters": int(client.xlen(keys.dead)), "oldest_waiting_age_seconds": 0.0,
        "consumers": [],
    }
    try:
        groups = client.xinfo_groups(keys.stream)
    except ResponseError:
        return out  # no stream yet: nothing published, nothing waiting
    out["length"] = int(client.xlen(keys.stream))
    group = next((g for g in groups if g["name"] == keys.group), None)
    if group is None:
        out["lag"] = out["length"]
        return out
    last_delivered = group.get("last-delivered-id")
    lag = group.get("lag")
    if lag is None:
        # Redis cannot tell after deletions in the middle; count the entries instead.
        lag = len(cast(list[Any], client.xrange(keys.stream, min=f"({last_delivered}", count=100_000)))
    out["lag"] = int(lag)
    out["pending"] = int(group.get("pending") or 0)
    oldest: list[int] = []
    if out["pending"]:
        summary: Any = client.xpending(keys.stream, keys.group)
        ms = _id_ms(summary.get("min"))
        if ms is not None:
            oldest.append(ms)
    if out["lag"]:
        first: Any = client.xrange(keys.stream, min=f"({last_delivered}", count=1)
        if first:
            ms = _id_ms(first[0][0])
            if ms is not None:
                oldest.append(ms)
    if oldest:
        out["oldest_waiting_age_seconds"] = max(0.0, (now_ms - min(oldest)) / 1000)
    out["consumers"] = [
        {"name": c["name"], "pending": int(c["pending"]), "idle_ms": int(c["idle"])}
        for c in client.xinfo_consumers(keys.stream, keys.group)
    ]
    return out


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
        self._workers: list[Any] = []
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
        from salingjaga.stream.worker import Worker, default_consumer_name

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
