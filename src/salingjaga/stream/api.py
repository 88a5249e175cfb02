"""``/metrics`` for Prometheus and the stream's state for operators.

Who may read ``/metrics``: a scraper presenting the configured token
(``SALINGJAGA_METRICS_TOKEN``, as ``Authorization: Bearer <token>``: Prometheus'
``authorization`` setting), or an API key whose role holds ``metrics.read`` (``admin``,
``service``). A direct loopback connection with no key is let in only when
``SALINGJAGA_METRICS_LOOPBACK_OPEN=true``: by default it is not, since a reverse proxy on
the same host that adds no forwarding header makes every internet request look local.
Metrics reveal volumes and queue sizes, not content, but they are operational data we do
not publish, and each scrape runs queries: the route is rate limited like any other.
"""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import Depends, Request, Response
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy.orm import Session

from salingjaga.auth.deps import bearer_token, get_session, optional_principal, require
from salingjaga.auth.principal import Principal
from salingjaga.core.errors import Forbidden, Unauthorized
from salingjaga.core.routing import Router
from salingjaga.stream.deadletters import count_dead_letters, dead_letter_out, list_dead_letters
from salingjaga.stream.metrics import APP_COLLECTORS, outbox_collector, stream_collector
from salingjaga.stream.schemas import DeadLetters, StreamStats

router = Router(tags=["operations"])

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
PROXY_HEADERS = (b"x-forwarded-for", b"forwarded", b"x-real-ip")


def from_loopback(request: Request) -> bool:
    """A direct connection from this host (a proxied request carries forwarding headers)."""
    host = request.client.host if request.client else ""
    if host not in LOOPBACK:
        return False
    return not any(name in PROXY_HEADERS for name, _ in request.scope.get("headers") or [])


class metrics_access(require):
    """The metrics token, ``metrics.read`` with an API key, or (when allowed) nothing at all
    from loopback (see module doc)."""

    def __init__(self) -> None:
        super().__init__("metrics.read")

    async def __call__(self, request: Request) -> Principal | None:  # type: ignore[override]
        settings = request.app.state.settings
        token = bearer_token(request.headers.get("authorization"))
        if token is not None and settings.metrics_token and hmac.compare_digest(
                token.encode(), settings.metrics_token.encode()):
            return None
        principal = await optional_principal(request)
        if principal is None:
            if settings.metrics_loopback_open and from_loopback(request):
                return None
            raise Unauthorized("metrics need the metrics token (SALINGJAGA_METRICS_TOKEN) or an API key "
                               "with metrics.read", reason="stream.metrics_credential")
        if principal.role not in self.roles:
            raise Forbidden(f"role {principal.role} may not metrics.read", reason="stream.metrics_forbidden",
                            params={"role": principal.role})
        return principal

    @property
    def roles(self) -> frozenset[str]:
        """Roles holding ``metrics.read``."""
        from salingjaga.auth.permissions import roles_for

        return roles_for(self.permission)


def _stream_stats(app: Any) -> dict[str, Any]:
    stream = app.state.stream
    if hasattr(stream, "stats"):
        stats: dict[str, Any] = stream.stats()
        return stats
    pending = stream.pending()
    # the in-process transports keep their dead letters in the database
    with app.state.db.session() as session:
        dead = count_dead_letters(session)
    return {"stream": app.state.settings.stream, "group": None, "length": pending, "lag": pending,
            "pending": 0, "dead_letters": dead, "oldest_waiting_age_seconds": 0.0, "consumers": []}


def _app_registry(request: Request) -> CollectorRegistry:
    registry: CollectorRegistry | None = getattr(request.app.state, "metrics_registry", None)
    if registry is None:
        registry = CollectorRegistry(auto_describe=False)
        app = request.app
        registry.register(stream_collector(lambda: _stream_stats(app)))
        registry.register(outbox_collector(app.state.db))
        # the domains' figures (the moderation queue, notice intake), added by the wiring
        for factory in list(APP_COLLECTORS.values()):
            collector = factory(app)
            if collector is not None:
                registry.register(collector)
        app.state.metrics_registry = registry
    return registry


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request, _: Principal | None = Depends(metrics_access()),
            session: Session = Depends(get_session)) -> Response:
    """Prometheus text exposition: this process's counters plus stream and queue gauges."""
    # End the request's transaction first: on SQLite it may hold the write lock (a key's
    # last use), which the queue collector's own connection would otherwise wait for.
    session.commit()
    body = generate_latest(REGISTRY) + generate_latest(_app_registry(request))
    return Response(body, media_type=CONTENT_TYPE_LATEST)


@router.get("/api/v1/stream/stats", response_model=StreamStats)
def stream_stats(request: Request, _: Principal = Depends(require("stream.read"))) -> dict[str, Any]:
    """Lag, pending and dead-letter counts and the consumers of the content stream."""
    return _stream_stats(request.app)


@router.get("/api/v1/stream/dead-letters", response_model=DeadLetters)
def dead_letters(session: Session = Depends(get_session), _: Principal = Depends(require("stream.read")),
                 limit: int = 50) -> dict[str, Any]:
    """The newest dead letters kept in the database: the message, the handler and step
    that failed, and the error (``salingjaga stream dead`` shows Redis's as well)."""
    limit = max(1, min(limit, 500))
    letters = list_dead_letters(session, limit)
    return {"dead_letters": [dead_letter_out(d) for d in letters], "total": count_dead_letters(session)}
