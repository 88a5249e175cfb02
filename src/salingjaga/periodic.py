"""One shape for the periodic work a server does in the background (audit chaining,
moderation maintenance, transparency rollups): a named daemon thread that runs a step every
``interval`` seconds, logs a failed step and tries again next time, and stops when asked."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable


def start_periodic(name: str, interval: float, step: Callable[[], object], *, log: logging.Logger,
                   failure: str, final: Callable[[], object] | None = None,
                   join_timeout: float = 30.0) -> Callable[[], None]:
    """Run ``step`` every ``interval`` seconds in a thread called ``name`` (and ``final``
    once after the last step); returns the callable that stops the thread."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(interval):
            try:
                step()
            except Exception:  # keep the thread alive; the next pass retries
                log.exception(failure)
        if final is not None:
            final()

    thread = threading.Thread(target=loop, name=name, daemon=True)
    thread.start()

    def stopper() -> None:
        stop.set()
        thread.join(timeout=join_timeout)

    return stopper
