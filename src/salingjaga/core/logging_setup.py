"""Structured logs: one JSON object per line when ``settings.log_json`` is set.

Log aggregators (Loki, Elasticsearch, Cloud Logging) index the fields; ``extra={...}`` given
to a log call becomes top-level keys. Plain text otherwise, for people at a terminal.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from salingjaga.core.settings import Settings

# Attributes every LogRecord has; anything else on a record came from ``extra``.
_STANDARD = set(vars(logging.LogRecord("x", 0, "x", 0, "x", None, None))) | {"message", "asctime",
                                                                                "taskName"}
_MARK = "_salingjaga_handler"


class JsonFormatter(logging.Formatter):
    """Formats a record as a single JSON line."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as JSON: time, level, logger, message, extras and any exception."""
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "pid": record.process,
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str, ensure_ascii=False)


def configure_logging(settings: Settings, level: int = logging.INFO) -> None:
    """Send salingjaga's and uvicorn's logs to stderr, as JSON when ``log_json``.

    Idempotent: creating several apps in one process installs one handler.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if settings.log_json else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    setattr(handler, _MARK, True)
    names = ["salingjaga"]
    if settings.log_json:
        names += ["uvicorn", "uvicorn.error", "uvicorn.access"]
    for name in names:
        logger = logging.getLogger(name)
        logger.handlers = [h for h in logger.handlers if not getattr(h, _MARK, False)]
        if name.startswith("uvicorn"):
            # uvicorn installs plain-text handlers of its own; JSON mode replaces them.
            logger.handlers = []
        logger.addHandler(handler)
        logger.propagate = False
        if logger.level == logging.NOTSET or name == "salingjaga":
            logger.setLevel(level)
