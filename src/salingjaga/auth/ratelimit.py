"""Fixed-window rate limits per API key and per client address.

The embedded default counts in process memory (one server); with the Redis stream the
counters live in Redis so every API process shares them.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import time
import weakref
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import redis.asyncio

log = logging.getLogger("salingjaga.auth.ratelimit")


class Counter(Protocol):
    """Counts hits of a key within the current window."""

    async def hit(self, key: str, window_seconds: int) -> int:
        """Record one hit and return the count in this window."""


class MemoryCounter:
    """Counters in a dict, pruned as windows pass."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, int], int] = {}
        self._lock = threading.Lock()

    async def hit(self, key: str, window_seconds: int) -> int:
        """Record one hit and return the count in this window."""
        window = int(time.time()) // window_seconds
        with self._lock:
            if len(self._counts) > 100_000:
                self._counts = {k: v for k, v in self._counts.items() if k[1] >= window}
            count = self._counts.get((key, window), 0) + 1
            self._counts[(key, window)] = count
            return count


class RedisCounter:
    """Counters in Redis (INCR + EXPIRE), shared by every API process.

    Asynchronous: the limit is checked in the event loop for every request, and a blocking
    round trip there would stall every other request of the process. A client belongs to
    one event loop, so there is one per loop (a test client runs its own loop).

    Redis is not where anything a request writes lives, so a Redis that does not answer
    must not stop requests: for ``down_seconds`` after a failed round trip this server
    counts in its own memory (the limit then holds per server instead of per cluster),
    then tries Redis again. Short timeouts keep a Redis that hangs from holding the loop.
    """

    def __init__(self, url: str, *, timeout: float = 0.5, down_seconds: float = 5.0) -> None:
        self.url = url
        self.timeout = timeout
        self.down_seconds = down_seconds
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, redis.asyncio.Redis] = (
            weakref.WeakKeyDictionary())
        self._fallback = MemoryCounter()
        self._down_until = 0.0

    def _client(self) -> redis.asyncio.Redis:
        import redis.asyncio

        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = self._clients[loop] = redis.asyncio.Redis.from_url(
                self.url, socket_connect_timeout=self.timeout, socket_timeout=self.timeout)
        return client

    async def hit(self, key: str, window_seconds: int) -> int:
        """Record one hit and return the count in this window."""
        import redis.exceptions

        if time.monotonic() < self._down_until:
            return await self._fallback.hit(key, window_seconds)
        window = int(time.time()) // window_seconds
        name = f"salingjaga:rl:{key}:{window}"
        try:
            async with self._client().pipeline(transaction=False) as pipe:
                pipe.incr(name)
                pipe.expire(name, window_seconds * 2)
                count, _ = await pipe.execute()
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
            self._down_until = time.monotonic() + self.down_seconds
            log.warning("rate-limit counters unreachable in Redis (%s); counting in this server for %.0fs",
                        exc, self.down_seconds)
            return await self._fallback.hit(key, window_seconds)
        return int(count)


def retry_after(window_seconds: int) -> int:
    """Seconds until the current window ends."""
    return window_seconds - int(time.time()) % window_seconds or 1


def client_key(authorization: str | None, address: str | None) -> str:
    """The identity a limit applies to: the API key (hashed) if any, else the address."""
    if authorization and authorization.lower().startswith("bearer "):
        token = authorization[7:].strip()
        return "key:" + hashlib.sha256(token.encode()).hexdigest()[:24]
    return f"ip:{address or 'unknown'}"
