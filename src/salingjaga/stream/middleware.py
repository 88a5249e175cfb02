"""Request metrics and request logs for every app (installed by ``create_app``)."""

from __future__ import annotations

import logging
import time

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from salingjaga.core.logging_setup import configure_logging
from salingjaga.core.settings import Settings
from salingjaga.stream.metrics import HTTP_IN_PROGRESS, HTTP_LATENCY, HTTP_REQUESTS

access_log = logging.getLogger("salingjaga.http")


class RequestMetrics:
    """Counts and times each request by its route *template* (``/api/v1/content/{id}``),
    never the raw path, so label cardinality stays bounded whatever callers send."""

    def __init__(self, app: ASGIApp, log_requests: bool) -> None:
        self.app = app
        self.log_requests = log_requests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        HTTP_IN_PROGRESS.inc()

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            HTTP_IN_PROGRESS.dec()
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or ("unmatched" if status == 404 else "other")
            method = scope.get("method", "?")
            HTTP_REQUESTS.labels(method, template, str(status)).inc()
            HTTP_LATENCY.labels(method, template).observe(elapsed)
            if self.log_requests:
                access_log.info("request", extra={
                    "method": method, "route": template, "path": scope.get("path"),
                    "status": status, "duration_ms": round(elapsed * 1000, 2),
                })


def install(app: FastAPI, settings: Settings) -> None:
    """Add request metrics (and, with ``log_json``, one JSON log line per request)."""
    configure_logging(settings)
    app.add_middleware(RequestMetrics, log_requests=settings.log_json)
