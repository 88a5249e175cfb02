"""Fixed-window rate limits per caller (the principal of an API key, or the client
address) and of failed sign-ins.

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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import redis.asyncio

log = logging.getLogger("salingjaga.auth.ratelimit")


MAX_SLOTS = 100_000  # (key, window) entries kept in memory before past windows are dropped

Slot = tuple[str, int, int]  # (key, window length in seconds, window number)


def _slot(key: str, window_seconds: int) -> Slot:
    return (key, window_seconds, int(time.time()) // window_seconds)


def _pruned(slots: dict[Slot, int], now: float) -> dict[Slot, int]:
    """``slots`` without past windows once it grew past ``MAX_SLOTS``, else as it is."""
    if len(slots) <= MAX_SLOTS:
        return slots
    return {k: v for k, v in slots.items() if k[2] >= int(now) // k[1]}


class Counter(Protocol):
    """Counts requests per key within fixed windows."""

    async def allow(self, key: str, window_seconds: int, limit: int) -> bool:
        """Count one request of ``key`` in the current window; False once over ``limit``."""

    async def exhausted(self, key: str, window_seconds: int, limit: int) -> bool:
        """Whether ``key`` has used its ``limit`` in the current window (counts nothing)."""


class MemoryCounter:
    """Counters in a dict, pruned as windows pass.

    One lock guards each count and its increment, and nothing awaits while it is held, so
    any number of coroutines and threads admit exactly ``limit`` per key and window.
    """

    def __init__(self) -> None:
        self._counts: dict[Slot, int] = {}
        self._lock = threading.Lock()

    async def allow(self, key: str, window_seconds: int, limit: int) -> bool:
        """Count one request of ``key`` in the current window; False once over ``limit``."""
        slot = _slot(key, window_seconds)
        with self._lock:
            self._counts = _pruned(self._counts, time.time())
            count = self._counts.get(slot, 0)
            if count >= limit:  # a refused request is not counted: the count stays the limit
                return False
            self._counts[slot] = count + 1
            return True

    async def exhausted(self, key: str, window_seconds: int, limit: int) -> bool:
        """Whether ``key`` has used its ``limit`` in the current window (counts nothing)."""
        with self._lock:
            return self._counts.get(_slot(key, window_seconds), 0) >= limit


# Reserve up to ARGV[1] units of a budget of ARGV[2]; returns the units granted (0 when the
# budget is gone). The count never passes the budget, so every unit granted is one a
# request may spend, and the key expires with its window (ARGV[3] seconds).
_TAKE = """
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local grant = math.min(tonumber(ARGV[1]), tonumber(ARGV[2]) - used)
if grant <= 0 then return 0 end
redis.call('INCRBY', KEYS[1], grant)
if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
return grant
"""
SLICES = 20  # a server takes a key's budget a twentieth at a time
_SPENT = -1  # marks a (key, window) whose budget is gone


class RedisCounter:
    """Counters in Redis, shared by every API process: a client cannot multiply its limit
    by spreading requests over servers.

    A server takes a key's budget in slices (a twentieth of the limit, at least one) and
    spends each slice in memory, so most requests make no round trip: one costs ~0.2 ms of
    CPU on this machine, a fifth of a request that does no database work. A Lua script
    grants a slice atomically and never past the limit, and the units granted are added
    to what this server holds, never written over it; concurrent requests of one key on
    one event loop wait for a single reservation under way instead of each taking a
    slice. So one server admits exactly the limit, however many requests arrive at once.
    Slices other servers hold unspent can refuse a client at most that many requests
    early; limits under 40 a minute take slices of one: exact across servers. Once Redis
    grants nothing a server refuses the key until the window ends without asking again.

    Asynchronous, with one client per event loop (a test client runs its own loop). Redis
    is not where anything a request writes lives, so a Redis that does not answer must not
    stop requests: for ``down_seconds`` after a failed round trip this server counts in its
    own memory (the limit then holds per server), then tries Redis again. Short timeouts
    keep a Redis that hangs from holding the loop.
    """

    def __init__(self, url: str, *, timeout: float = 0.5, down_seconds: float = 5.0,
                 namespace: str = "salingjaga") -> None:
        self.url = url
        # Keys are namespaced per deployment (its stream name): two installations, or two test
        # runs, sharing one Redis never spend each other's budgets.
        self.namespace = namespace
        self.timeout = timeout
        self.down_seconds = down_seconds
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, redis.asyncio.Redis] = (
            weakref.WeakKeyDictionary())
        # Reservations under way, per event loop: requests of the same slot wait for them.
        self._pending: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[Slot, asyncio.Future[None]]] = (
            weakref.WeakKeyDictionary())
        self._fallback = MemoryCounter()
        self._down_until = 0.0
        self._left: dict[Slot, int] = {}  # slot -> units of taken slices unspent, or _SPENT
        self._lock = threading.Lock()  # API servers may run several loops (threads) on one counter

    def _client(self) -> redis.asyncio.Redis:
        import redis.asyncio

        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = self._clients[loop] = redis.asyncio.Redis.from_url(
                self.url, socket_connect_timeout=self.timeout, socket_timeout=self.timeout)
        return client

    def _spend(self, slot: Slot) -> bool | None:
        """Spend a unit held in memory: True, False when the budget is gone, None when this
        server holds nothing and must ask Redis."""
        with self._lock:
            left = self._left.get(slot, 0)
            if left > 0:
                self._left[slot] = left - 1
                return True
            return False if left == _SPENT else None

    def _add(self, slot: Slot, granted: int) -> None:
        """Record what Redis granted; nothing granted while nothing is held spends the slot."""
        with self._lock:
            self._left = _pruned(self._left, time.time())
            left = max(0, self._left.get(slot, 0))
            if granted > 0:
                self._left[slot] = left + granted
            elif left == 0:
                self._left[slot] = _SPENT

    def _mark_down(self, exc: Exception) -> None:
        self._down_until = time.monotonic() + self.down_seconds
        log.warning("rate-limit counters unreachable in Redis (%s); counting in this server for %.0fs",
                    exc, self.down_seconds)

    async def allow(self, key: str, window_seconds: int, limit: int) -> bool:
        """Count one request of ``key`` in the current window; False once over ``limit``."""
        import redis.exceptions

        slot = _slot(key, window_seconds)
        loop = asyncio.get_running_loop()
        pending = self._pending.setdefault(loop, {})
        while True:
            spent = self._spend(slot)
            if spent is not None:
                return spent
            if time.monotonic() < self._down_until:
                return await self._fallback.allow(key, window_seconds, limit)
            under_way = pending.get(slot)
            if under_way is not None:
                await asyncio.shield(under_way)  # then look at what it brought
                continue
            done: asyncio.Future[None] = loop.create_future()
            pending[slot] = done
            try:
                granted = int(await self._client().eval(
                    _TAKE, 1, f"{self.namespace}:rl:{key}:{window_seconds}:{slot[2]}",
                    max(1, limit // SLICES), limit, window_seconds * 2))
            except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
                self._mark_down(exc)
                return await self._fallback.allow(key, window_seconds, limit)
            finally:
                del pending[slot]
                done.set_result(None)
            self._add(slot, granted)

    async def exhausted(self, key: str, window_seconds: int, limit: int) -> bool:
        """Whether ``key`` has used its ``limit`` in the current window (counts nothing).

        Units other servers hold unspent count as used: with slices of one (limits under
        40) the answer is exact."""
        import redis.exceptions

        slot = _slot(key, window_seconds)
        with self._lock:
            left = self._left.get(slot, 0)
        if left != 0:
            return left == _SPENT
        if time.monotonic() < self._down_until:
            return await self._fallback.exhausted(key, window_seconds, limit)
        try:
            used = await self._client().get(f"{self.namespace}:rl:{key}:{window_seconds}:{slot[2]}")
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
            self._mark_down(exc)
            return await self._fallback.exhausted(key, window_seconds, limit)
        return int(used or 0) >= limit


def retry_after(window_seconds: int) -> int:
    """Seconds until the current window ends."""
    return window_seconds - int(time.time()) % window_seconds or 1


@dataclass(frozen=True)
class LoginLimit:
    """At most ``failures`` failed sign-ins per ``scope`` within fixed windows of ``window_seconds``."""

    scope: str  # "account" (one e-mail from anywhere), "address" (any e-mail from one address), "global"
    failures: int
    window_seconds: int


# The (e-mail, address) pair's own lock (web.sessions) stops guessing one account from one
# place; these stop the rest: one account guessed from many addresses, many accounts
# sprayed from one address, and a spray spread over many addresses at once.
LOGIN_LIMITS = (
    LoginLimit("account", 10, 900),
    LoginLimit("address", 20, 900),
    LoginLimit("global", 1000, 900),
)


@dataclass(frozen=True)
class Blocked:
    """Why sign-in is refused for now, and for how long."""

    scope: str
    seconds: int

    @property
    def minutes(self) -> int:
        """Whole minutes to wait, rounded up (what the page says)."""
        return max(1, -(-self.seconds // 60))


class LoginLimits:
    """Failed sign-ins counted per account, per address and in all, on the app's counter
    (shared by every API process with Redis). Accounts are counted by e-mail whether or
    not a user has it, so a refusal tells nothing about which e-mails exist; the key is a
    hash of the e-mail, which never reaches Redis in clear."""

    def __init__(self, counter: Counter, limits: tuple[LoginLimit, ...] = LOGIN_LIMITS) -> None:
        self.counter = counter
        self.limits = limits

    @staticmethod
    def _key(limit: LoginLimit, email: str, address: str) -> str:
        if limit.scope == "account":
            digest = hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()[:32]
            return f"login:account:{digest}"
        if limit.scope == "address":
            return f"login:address:{address[:64]}"
        return "login:global"

    async def blocked(self, email: str, address: str) -> Blocked | None:
        """The first limit this sign-in is over, or None when it may be tried."""
        for limit in self.limits:
            if await self.counter.exhausted(self._key(limit, email, address), limit.window_seconds,
                                            limit.failures):
                return Blocked(limit.scope, retry_after(limit.window_seconds))
        return None

    async def failed(self, email: str, address: str) -> None:
        """Count one failed sign-in in every scope."""
        for limit in self.limits:
            await self.counter.allow(self._key(limit, email, address), limit.window_seconds, limit.failures)
