"""Redis connections, key names, the consumer group and its figures: what the transport
(``stream/redis_streams.py``) and the worker (``stream/worker.py``) both use.

Layout in Redis, all under ``settings.stream_name`` (``S``):
- ``S``: the stream; each entry has ``topic`` and ``payload`` (JSON);
- ``S:dead``: the dead-letter stream (entry, error, attempts);
- ``S:attempts`` / ``S:errors``: hashes by entry id, the attempts so far and the last error
  of entries not yet acknowledged.
"""

from __future__ import annotations

import time
from typing import Any, cast

import redis
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from salingjaga.core.settings import Settings


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
