"""What a worker does with each message, by topic.

The stream knows no domain: each registers its handlers here when the app, the worker or
a command is built (``salingjaga.wiring.wire``), in the order they run. A handler is known
by a stable name, which receipts and dead letters record, so a rename of its module must
not change the name. Each handler gets a session in its own transaction and must be
idempotent: a redelivered message must not create a second case or action.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from salingjaga.core.db import Database
from salingjaga.core.settings import Settings
from salingjaga.stream.deadletters import record_dead_letter
from salingjaga.stream.types import Guard, Handler

__all__ = ["HANDLERS", "Guard", "Handler", "Registration", "dispatch", "names", "register"]

log = logging.getLogger("salingjaga.stream")


@dataclass(frozen=True)
class Registration:
    """A handler of a topic and the name it is known by."""

    name: str
    handler: Handler


# topic -> its handlers, in the order they run
HANDLERS: dict[str, tuple[Registration, ...]] = {}


def register(topic: str, handler: Handler, name: str | None = None) -> None:
    """Run ``handler`` on every message of ``topic``, after those registered before it.

    ``name`` (default ``module:function``) identifies it in receipts and dead letters.
    Registering a name again replaces its handler in place, so wiring twice is harmless.
    """
    name = name or f"{handler.__module__}:{handler.__qualname__}"
    current = HANDLERS.get(topic, ())
    entry = Registration(name, handler)
    if any(r.name == name for r in current):
        HANDLERS[topic] = tuple(entry if r.name == name else r for r in current)
    else:
        HANDLERS[topic] = (*current, entry)


def names(topic: str) -> tuple[str, ...]:
    """The names of the handlers of ``topic``, in the order they run."""
    return tuple(r.name for r in HANDLERS.get(topic, ()))


def dispatch(db: Database, settings: Settings, topic: str, payload: dict[str, Any],
             guard: Guard | None = None, record_failures: bool = False) -> None:
    """Run every handler of ``topic`` on ``payload``, each in its own transaction.

    With ``record_failures`` (the in-process transports, which never retry) a handler that
    raises is kept as a dead letter with its error and the next handlers still run: one
    failing domain must not drop the message for the others. Without it (the Redis
    worker) the error propagates, the entry stays pending and is retried, then
    dead-lettered in Redis after its last attempt.
    """
    registered = HANDLERS.get(topic, ())
    if not registered:
        log.warning("no handler registered for topic %r (was salingjaga.wiring.wire() called?)", topic)
    for entry in registered:
        try:
            with db.session() as session:
                if guard is not None and not guard(session, entry.name):
                    continue
                entry.handler(session, payload, settings)
        except Exception as exc:
            if not record_failures:
                raise
            error = f"{type(exc).__name__}: {exc}"
            log.exception("handler failed; kept as a dead letter",
                          extra={"topic": topic, "handler": entry.name})
            with db.session() as session:
                record_dead_letter(session, topic=topic, payload=payload, handler=entry.name, error=error)
