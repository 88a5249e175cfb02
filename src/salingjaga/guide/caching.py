"""HTTP caching for the public guide: a short-lived in-process cache and conditional GETs.

The cache lives on the app (``app.state``), never in a module global, so two apps in one
process (tests) or two servers never share entries; each server's entries expire after a
few seconds, so nothing needs to be told about a publish on another server.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any, TypeVar

from fastapi import FastAPI, Request

from salingjaga.core.timeutil import as_utc

CACHE_TTL_SECONDS = 30.0
T = TypeVar("T")


class TTLCache:
    """A small LRU map whose entries expire ``ttl`` seconds after they were stored."""

    def __init__(self, ttl: float = CACHE_TTL_SECONDS, maxsize: int = 1024) -> None:
        self.ttl = ttl
        self.maxsize = maxsize
        self._data: OrderedDict[Any, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def peek(self, key: Any) -> Any | None:
        """The fresh cached value for ``key``, or None (nothing is built)."""
        now = time.monotonic()
        with self._lock:
            hit = self._data.get(key)
            if hit is not None and hit[0] > now:
                self._data.move_to_end(key)
                return hit[1]
        return None

    def get_or_set(self, key: Any, build: Callable[[], T]) -> T:
        """The cached value for ``key``, building (and storing) it when missing or stale."""
        now = time.monotonic()
        with self._lock:
            hit = self._data.get(key)
            if hit is not None and hit[0] > now:
                self._data.move_to_end(key)
                value: T = hit[1]
                return value
        value = build()
        with self._lock:
            self._data[key] = (now + self.ttl, value)
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget everything (after a publish or rollback on this server)."""
        with self._lock:
            self._data.clear()


def app_cache(app: FastAPI) -> TTLCache:
    """The guide cache of this app, created on first use."""
    cache = getattr(app.state, "guide_cache", None)
    if cache is None:
        cache = TTLCache()
        app.state.guide_cache = cache
    return cache


def make_etag(kind: str, parts: Iterable[str]) -> str:
    """A strong ETag over the parts that decide a representation (version ids, language,
    the day for the countdown)."""
    digest = hashlib.sha256("\x1f".join([kind, *parts]).encode("utf-8")).hexdigest()[:32]
    return f'"{kind}-{digest}"'


def http_date(value: datetime) -> str:
    """An HTTP-date (RFC 9110) for a header."""
    return format_datetime(as_utc(value).replace(microsecond=0), usegmt=True)


def not_modified(request: Request, etag: str, last_modified: datetime | None) -> bool:
    """Whether the client's copy is current: If-None-Match wins; If-Modified-Since only
    when no ETag was sent (RFC 9110 section 13.2.2)."""
    inm = request.headers.get("if-none-match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or etag in tags
    ims = request.headers.get("if-modified-since")
    if ims and last_modified is not None:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            return False
        return as_utc(last_modified).replace(microsecond=0) <= as_utc(since)
    return False


STALE_WHILE_REVALIDATE = 60  # a CDN may answer from a copy this much past fresh while it revalidates
STALE_IF_ERROR = 86_400  # ... and for a day when this server cannot answer (voting day must not go blank)


def cache_headers(etag: str, last_modified: datetime | None, max_age: int = 60) -> dict[str, str]:
    """Validators and freshness for a public response, for browsers and for a CDN in front:
    ``s-maxage`` for shared caches, ``stale-while-revalidate`` so a popular page never
    waits on a revalidation, ``stale-if-error`` so the guide stays up through an outage
    (RFC 9111, RFC 5861). A CDN revalidates with the ETag and gets a 304 when nothing
    changed, so an expiry costs this server a header, not a page."""
    # The language is in the path or the query, so nothing else varies the response.
    headers = {"ETag": etag, "Cache-Control": (
        f"public, max-age={max_age}, s-maxage={max_age}, stale-while-revalidate={STALE_WHILE_REVALIDATE}, "
        f"stale-if-error={STALE_IF_ERROR}")}
    if last_modified is not None:
        headers["Last-Modified"] = http_date(last_modified)
    return headers
