"""What a worker does with each message, by topic.

Handlers are named as ``module:function`` so the stream does not import detection (and its
models) until a message arrives. Each handler gets a session in its own transaction and must
be idempotent: a redelivered message must not create a second case or action.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from salingjaga.db import Database
from salingjaga.settings import Settings

log = logging.getLogger("salingjaga.stream")

Handler = Callable[[Session, dict[str, Any], Settings], None]

HANDLERS: dict[str, tuple[str, ...]] = {
    "content": ("salingjaga.detection.pipeline:handle_content", "salingjaga.rules.service:handle_content",
                "salingjaga.guide.tags:handle_content"),
    "factcheck": ("salingjaga.detection.pipeline:handle_factcheck",),
    "probe": ("salingjaga.stream.probe:handle_probe",),
}

# Called in the handler's transaction before it runs; returning False skips the handler
# (the Redis worker uses it to record a receipt and skip messages already handled).
Guard = Callable[[Session, str], bool]


def _resolve(path: str) -> Handler | None:
    module_name, _, func = path.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            return None  # that domain is not installed in this build
        raise
    handler: Handler | None = getattr(module, func, None)
    return handler


def dispatch(db: Database, settings: Settings, topic: str, payload: dict[str, Any],
             guard: Guard | None = None, record_failures: bool = False) -> None:
    """Run every handler of ``topic`` on ``payload``, each in its own transaction.

    With ``record_failures`` (the in-process transports, which never retry) a handler that
    raises is kept as a dead letter with its error and the next handlers still run: one
    failing domain must not drop the message for the others. Without it (the Redis
    worker) the error propagates, the entry stays pending and is retried, then
    dead-lettered in Redis after its last attempt.
    """
    for path in HANDLERS.get(topic, ()):
        handler = _resolve(path)
        if handler is None:
            continue
        try:
            with db.session() as session:
                if guard is not None and not guard(session, path):
                    continue
                handler(session, payload, settings)
        except Exception as exc:
            if not record_failures:
                raise
            error = f"{type(exc).__name__}: {exc}"
            log.exception("handler failed; kept as a dead letter",
                          extra={"topic": topic, "handler": path})
            from salingjaga.stream.deadletters import record_dead_letter

            with db.session() as session:
                record_dead_letter(session, topic=topic, payload=payload, handler=path, error=error)
