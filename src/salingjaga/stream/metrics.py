"""Prometheus metrics: HTTP requests, the stream, the workers and the moderation queue.

Process-wide counters and histograms live on the default registry (each API or worker
process exposes its own; Prometheus sums them). Figures read from Redis or the database at
scrape time are per-app collectors, cached briefly so a scrape never loads the database.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from prometheus_client import Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from salingjaga.core.db import Database
from salingjaga.stream.outbox import backlog

log = logging.getLogger("salingjaga.metrics")

LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5, 5.0, 10.0)

HTTP_REQUESTS = Counter(
    "salingjaga_http_requests", "HTTP requests answered, by route template and status.",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "salingjaga_http_request_duration_seconds", "Time to answer, by route template.",
    ["method", "route"], buckets=LATENCY_BUCKETS,
)
HTTP_IN_PROGRESS = Gauge("salingjaga_http_requests_in_progress", "Requests being answered now.")
WORKER_MESSAGES = Counter(
    "salingjaga_worker_messages",
    "Stream messages finished by this worker: ok, failed (will retry), dead (dead-lettered), "
    "duplicate (already handled before a redelivery).",
    ["topic", "outcome"],
)
WORKER_SECONDS = Histogram(
    "salingjaga_worker_handle_seconds", "Time to handle one stream message.", ["topic"],
    buckets=LATENCY_BUCKETS,
)
WORKER_RECLAIMED = Counter(
    "salingjaga_worker_reclaimed", "Entries taken over from an idle or dead consumer (XAUTOCLAIM)."
)


class _Cached:
    """Calls ``fetch`` at most once per ``ttl`` seconds; the last good value meanwhile."""

    def __init__(self, fetch: Callable[[], dict[str, float]], ttl: float) -> None:
        self.fetch = fetch
        self.ttl = ttl
        self._at = 0.0
        self._value: dict[str, float] | None = None
        self._lock = threading.Lock()

    def get(self) -> dict[str, float] | None:
        with self._lock:
            now = time.monotonic()
            if self._value is None or now - self._at >= self.ttl:
                try:
                    self._value = self.fetch()
                except Exception:
                    log.warning("metrics source failed", exc_info=True)
                    self._value = None
                self._at = now
            return self._value


class CachedGauges(Collector):
    """Gauges filled from one cached read (``fetch`` returns a value per key); nothing is
    exposed while the source fails."""

    def __init__(self, fetch: Callable[[], dict[str, float]], gauges: Sequence[tuple[str, str, str]],
                 ttl: float) -> None:
        self._cache = _Cached(fetch, ttl)
        self._gauges = gauges  # (metric name, help, key in the fetched values)

    def collect(self) -> Iterator[Metric]:
        values = self._cache.get()
        if not values:
            return
        for name, text, key in self._gauges:
            yield GaugeMetricFamily(name, text, value=values[key])


STREAM_GAUGES = (
    ("salingjaga_stream_lag", "Entries appended but not yet delivered.", "lag"),
    ("salingjaga_stream_pending", "Entries delivered to a worker but not yet acknowledged.", "pending"),
    ("salingjaga_stream_dead_letters", "Entries in the dead-letter stream.", "dead_letters"),
    ("salingjaga_stream_length", "Entries kept in the stream.", "length"),
    ("salingjaga_stream_oldest_waiting_seconds", "Age of the oldest entry not yet handled (0 when caught up).",
     "oldest"),
    ("salingjaga_stream_consumers", "Consumers known to the group.", "consumers"),
)
QUEUE_GAUGES = (
    ("salingjaga_queue_open_cases", "Cases not yet decided (any state).", "open"),
    ("salingjaga_queue_waiting_cases", "Cases waiting for a moderator to claim.", "waiting"),
    ("salingjaga_queue_overdue_cases", "Open cases past their deadline.", "overdue"),
)
# Above zero for long, the stream is refusing messages (Redis down) and the outbox holds them.
OUTBOX_GAUGES = (
    ("salingjaga_stream_outbox_messages", "Stream messages committed but not yet handed to the stream.",
     "messages"),
)


def stream_collector(stats: Callable[[], dict[str, Any]], ttl: float = 2.0) -> CachedGauges:
    """Stream backpressure: lag, pending, dead letters, oldest waiting age, consumers."""
    def fetch() -> dict[str, float]:
        s = stats()
        return {"lag": float(s["lag"]), "pending": float(s["pending"]),
                "dead_letters": float(s["dead_letters"]), "length": float(s["length"]),
                "oldest": float(s["oldest_waiting_age_seconds"]), "consumers": float(len(s["consumers"]))}

    return CachedGauges(fetch, STREAM_GAUGES, ttl)


def queue_collector(figures: Callable[[], dict[str, float]], ttl: float = 30.0) -> CachedGauges:
    """Moderation queue depth and overdue cases from ``figures`` (open, waiting, overdue;
    supplied by the wiring, as the stream knows no domain), cached: a count over a million
    rows."""
    return CachedGauges(figures, QUEUE_GAUGES, ttl)


def outbox_figures(db: Database) -> dict[str, float]:
    """Stream messages committed but not yet handed over (or, in memory, not yet handled)."""
    with db.session() as session:
        return {"messages": float(backlog(session))}


def outbox_collector(db: Database, ttl: float = 5.0) -> CachedGauges:
    """The outbox backlog."""
    return CachedGauges(lambda: outbox_figures(db), OUTBOX_GAUGES, ttl)


# Collectors other packages add to every app's /metrics (``salingjaga.wiring``): each gets
# the app and returns its collector, or None when the app lacks what it reads.
AppCollector = Callable[[Any], Collector | None]
APP_COLLECTORS: dict[str, AppCollector] = {}


def register_app_collector(name: str, factory: AppCollector) -> None:
    """Add a collector to every app's /metrics, built per app by ``factory(app)``;
    registering a name again replaces it."""
    APP_COLLECTORS[name] = factory
