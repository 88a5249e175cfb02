"""Bounded waits for the database: a request waits a few seconds for a connection or for
SQLite's writer, then answers 503 with ``Retry-After``, never hangs.

SQLite has one writer, and every transaction here begins with ``BEGIN IMMEDIATE`` (see
``db.make_engine``). Left to SQLite, transactions waiting for the writer poll it with a
sleep that grows to 100 ms, so under a burst the lock sits free while waiters sleep, and a
newcomer can overtake a waiter that has polled for half a minute. ``WriterGate`` hands the
writer over within the process instead, in arrival order, the moment it is free; SQLite's
own busy timeout still arbitrates between processes (a CLI command beside the server).

How long a wait may last depends on who waits: a request has a person or a client behind it
and should fail fast with 503 (``request_budget``); background work (the in-process worker,
periodic tasks) may wait longer. The budget is a context variable set per request by
``WaitBudget`` and carried into worker threads with the request's context.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import text
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Receive, Scope, Send

from salingjaga.core.errors import ServiceBusy

# Seconds a caller may wait for the database before giving up; background work keeps this.
BACKGROUND_WAIT_SECONDS = 30.0
_budget: ContextVar[float] = ContextVar("salingjaga_db_wait", default=BACKGROUND_WAIT_SECONDS)


def wait_budget() -> float:
    """How long the current caller may wait for a connection or the writer, in seconds."""
    return _budget.get()


@contextmanager
def request_budget(seconds: float) -> Iterator[None]:
    """Within this block (and threads started from it), waits are bounded by ``seconds``."""
    token = _budget.set(seconds)
    try:
        yield
    finally:
        _budget.reset(token)


class WaitBudget:
    """ASGI middleware: every HTTP request waits at most ``seconds`` for the database."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with request_budget(self.seconds):
            await self.app(scope, receive, send)


class WriterGate:
    """One SQLite transaction at a time in this process, granted in arrival order.

    ``acquire(owner)`` waits up to the caller's budget and raises ``ServiceBusy`` past it;
    ``release(owner)`` frees the gate only if ``owner`` holds it, so a connection that ends
    its transaction twice (commit, then the pool's reset) cannot free another's hold.
    """

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._waiters: deque[tuple[object, threading.Event]] = deque()
        self._holder: object | None = None
        self._since = 0.0

    def acquire(self, owner: object) -> None:
        """Take the gate for ``owner`` (a DB-API connection)."""
        with self._mutex:
            if self._holder is None and not self._waiters:
                self._grant(owner)
                return
            granted = threading.Event()
            entry = (owner, granted)
            self._waiters.append(entry)
        budget = wait_budget()
        if granted.wait(budget):
            return
        with self._mutex:
            if granted.is_set():  # handed over just as the wait ran out
                return
            self._waiters.remove(entry)
        raise ServiceBusy(f"the database is busy: no turn to write within {budget:g}s")

    def release(self, owner: object) -> None:
        """End ``owner``'s hold, handing the gate to the longest waiter."""
        with self._mutex:
            if self._holder is not owner:
                return
            self._holder = None
            if self._waiters:
                nxt, granted = self._waiters.popleft()
                self._grant(nxt)
                granted.set()

    def holds(self, owner: object) -> bool:
        """Whether ``owner`` holds the gate."""
        return self._holder is owner

    def _grant(self, owner: object) -> None:
        self._holder = owner
        self._since = time.monotonic()

    def state(self) -> dict[str, float | int | bool]:
        """For readiness: whether it is held, for how long, and how many wait."""
        with self._mutex:
            held = self._holder is not None
            return {"held": held, "held_seconds": round(time.monotonic() - self._since, 3) if held else 0.0,
                    "waiting": len(self._waiters)}


def advisory_xact_lock(session: Session, key: int) -> None:
    """Take PostgreSQL's transaction-scoped advisory lock ``key``, waiting no longer than the
    caller's budget (then the driver raises lock_timeout, answered 503): a holder that
    stalls can delay others by seconds, never hang them. The timeout stays set for the rest
    of this transaction, bounding its other lock waits alike."""
    session.execute(text("SELECT set_config('lock_timeout', :ms, true), pg_advisory_xact_lock(:k)"),
                    {"ms": f"{int(wait_budget() * 1000)}ms", "k": key})
