"""The shapes the stream's modules share: the transport interface and a handler.

Kept apart, with no imports of the stream's own modules, so the transports, the outbox, the
worker and the metrics all depend on it and never on each other in a circle.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy.orm import Session

from salingjaga.core.settings import Settings

# What a domain registers for a topic (``stream.handlers.register``): it gets a session in
# its own transaction and must be idempotent.
Handler = Callable[[Session, dict[str, Any], Settings], None]

# Called in the handler's transaction before it runs, with the handler's name; returning
# False skips the handler (the Redis worker records a receipt and skips messages already
# handled).
Guard = Callable[[Session, str], bool]


class Transport(Protocol):
    """Carries messages from the API to workers."""

    # True when a message survives this process once ``publish`` returns (the outbox row
    # may then be deleted); False for a queue that dies with the process.
    durable: bool

    def publish(self, topic: str, payload: dict[str, Any]) -> None:
        """Append a message; it will be handled at least once."""

    def start(self) -> None:
        """Begin consuming (for transports with in-process workers)."""

    def stop(self) -> None:
        """Stop consuming and release resources."""

    def pending(self) -> int:
        """Messages published but not yet handled (backpressure)."""
