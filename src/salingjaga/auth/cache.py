"""A short-lived, per-process cache of API key -> Principal.

Every API request starts by proving who sends it. Looking the key up in the database costs
a query, an ORM row and a hop to a worker thread: on the notice intake path that was a
fifth of the request's CPU. The cache keeps the answer for ``ttl`` seconds (setting
``SALINGJAGA_AUTH_CACHE_SECONDS``, 0 turns it off), keyed by the key's SHA-256, never the
key itself.

What this costs: a key revoked, or a user deactivated, on another server (or behind the
app's back, in the database) keeps working on this server until its entry expires. A
revocation or deactivation made through this server clears the cache at once.

Keys no user holds are remembered too, apart and for ``unknown_ttl`` seconds (30 by
default, whatever ``ttl`` is): a client sending made-up keys then costs no query for each
repeat, and cannot push real keys out of the cache. A new key still works at once: its
hash is 32 random bytes nobody can have presented before it was made. A key that comes
back to life (a user reactivated) may be refused for up to ``unknown_ttl`` on servers that
saw it refused.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from salingjaga.auth.principal import Principal

UNKNOWN_SECONDS = 30.0


class AuthCache:
    """Key hash -> (Principal, expiry); bounded, cleared whole when full or on revocation.
    Unknown key hashes -> expiry, bounded the same way, in a table of their own."""

    def __init__(self, ttl: float, *, max_entries: int = 10_000, unknown_ttl: float = UNKNOWN_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.unknown_ttl = unknown_ttl
        self.max_entries = max_entries
        self.clock = clock
        self._entries: dict[str, tuple[Principal, float]] = {}
        self._unknown: dict[str, float] = {}

    def get(self, key_hash: str) -> Principal | None:
        """The cached Principal, or None when absent or expired."""
        entry = self._entries.get(key_hash)
        if entry is None:
            return None
        principal, expires = entry
        if self.clock() >= expires:
            self._entries.pop(key_hash, None)
            return None
        return principal

    def put(self, key_hash: str, principal: Principal) -> None:
        """Remember a successful look-up (no-op when the cache is off)."""
        if self.ttl <= 0:
            return
        if len(self._entries) >= self.max_entries:
            # Clearing beats an LRU here: a full cache means more live keys than expected,
            # and every entry is a single query away.
            self._entries.clear()
        self._entries[key_hash] = (principal, self.clock() + self.ttl)

    def is_unknown(self, key_hash: str) -> bool:
        """Whether a look-up of this key found no user a moment ago."""
        expires = self._unknown.get(key_hash)
        if expires is None:
            return False
        if self.clock() >= expires:
            self._unknown.pop(key_hash, None)
            return False
        return True

    def put_unknown(self, key_hash: str) -> None:
        """Remember a look-up that found no live key (no-op when ``unknown_ttl`` is 0)."""
        if self.unknown_ttl <= 0:
            return
        if len(self._unknown) >= self.max_entries:
            self._unknown.clear()  # a flood of made-up keys: start over, real keys untouched
        self._unknown[key_hash] = self.clock() + self.unknown_ttl

    def clear(self) -> None:
        """Forget everything: called when a key is revoked or a user changes."""
        self._entries.clear()
        self._unknown.clear()

    def __len__(self) -> int:
        return len(self._entries)
