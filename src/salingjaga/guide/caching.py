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

from fastapi import FastAPI, Request, Response

from salingjaga.core.timeutil import as_utc

CACHE_TTL_SECONDS = 30.0
# How long past fresh an entry is still answered while one request rebuilds it.
STALE_SECONDS = 30.0
T = TypeVar("T")


class TTLCache:
    """A small LRU map whose entries are fresh for ``ttl`` seconds after they were stored
    and may be served ``stale`` seconds longer while one caller rebuilds them.

    At election-day load dozens of requests arrive in the instant an entry expires: each
    building its own copy of the guide (markdown, sanitising, a few reads) cost more than
    every hit in between. So a key is built by one caller at a time (``get_or_set`` makes
    the others wait for that build), and an entry just past fresh is still answered while
    the one caller that claimed its refresh (``claim_refresh``) builds the next.
    """

    def __init__(self, ttl: float = CACHE_TTL_SECONDS, maxsize: int = 1024, stale: float = STALE_SECONDS) -> None:
        self.ttl = ttl
        self.stale = stale
        self.maxsize = maxsize
        self._data: OrderedDict[Any, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[Any, threading.Lock] = {}  # keys being built, one lock each
        self._refreshing: set[Any] = set()  # stale keys one caller is rebuilding
        self._generation = 0  # bumped by clear(): a build begun before must not be stored

    def peek(self, key: Any) -> Any | None:
        """The fresh cached value for ``key``, or None (nothing is built)."""
        now = time.monotonic()
        with self._lock:
            hit = self._data.get(key)
            if hit is not None and hit[0] > now:
                self._data.move_to_end(key)
                return hit[1]
        return None

    def lookup(self, key: Any) -> tuple[Any | None, bool]:
        """``(value, fresh)``: the fresh value, a stale one still within ``stale`` seconds
        (fresh False), or ``(None, False)``."""
        now = time.monotonic()
        with self._lock:
            hit = self._data.get(key)
            if hit is None or hit[0] + self.stale <= now:
                return None, False
            self._data.move_to_end(key)
            return hit[1], hit[0] > now

    def claim_refresh(self, key: Any) -> bool:
        """Whether the caller is the one to rebuild this stale entry (every other caller
        keeps answering the stale copy meanwhile); end with ``refreshed``."""
        with self._lock:
            if key in self._refreshing:
                return False
            self._refreshing.add(key)
            return True

    def refreshed(self, key: Any) -> None:
        """The claimed refresh of ``key`` is over (stored or failed)."""
        with self._lock:
            self._refreshing.discard(key)

    def get_or_set(self, key: Any, build: Callable[[], T]) -> T:
        """The fresh value for ``key``, building (and storing) it when missing or past
        fresh; concurrent callers of one key wait for a single build."""
        value: T | None = self.peek(key)
        if value is not None:
            return value
        with self._lock:
            gate = self._building.setdefault(key, threading.Lock())
        with gate:
            value = self.peek(key)  # built by the caller this one waited for
            if value is not None:
                return value
            with self._lock:
                generation = self._generation
            try:
                value = build()
                self.store(key, value, generation)
            finally:
                with self._lock:
                    self._building.pop(key, None)
        return value

    def store(self, key: Any, value: Any, generation: int | None = None) -> None:
        """Keep ``value`` for ``key``, unless the cache was cleared since ``generation``
        (the build may have read what the clearing publish replaced)."""
        with self._lock:
            if generation is not None and generation != self._generation:
                return
            self._data[key] = (time.monotonic() + self.ttl, value)
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    @property
    def generation(self) -> int:
        """Changes with every ``clear``."""
        with self._lock:
            return self._generation

    def clear(self) -> None:
        """Forget everything (after a publish or rollback on this server)."""
        with self._lock:
            self._data.clear()
            self._generation += 1


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
    return validators_match(request.headers.get("if-none-match"), request.headers.get("if-modified-since"),
                            etag, last_modified)


def validators_match(inm: str | None, ims: str | None, etag: str, last_modified: datetime | None) -> bool:
    """``not_modified`` for the two request headers as sent."""
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or etag in tags
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


class ReadyResponse(Response):
    """A response whose body and headers were encoded when its cache entry was built: a
    hit costs no header building, no encoding and no copy of the body."""

    def __init__(self, status_code: int, raw_headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        # Response.__init__ would render and measure the body again; set what __call__ sends.
        self.status_code = status_code
        self.body = body
        self.background = None
        self.raw_headers = list(raw_headers)  # a middleware may add to its own copy


def raw_headers(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    """Headers as the ASGI server sends them (lower-case names, latin-1)."""
    return [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]


def conditional_answer(request: Request, etag: str, last_modified: datetime | None,
                       headers_304: list[tuple[bytes, bytes]], headers_200: list[tuple[bytes, bytes]],
                       body: bytes) -> Response:
    """The cached representation, or 304 with its validators when the client's copy is
    current. The request's validators are read from the raw header list: a fresh hit
    builds no header map."""
    inm = ims = None
    for name, value in request.scope["headers"]:
        if name == b"if-none-match":
            inm = value.decode("latin-1")
        elif name == b"if-modified-since":
            ims = value.decode("latin-1")
    if (inm is not None or ims is not None) and validators_match(inm, ims, etag, last_modified):
        return ReadyResponse(304, headers_304, b"")
    return ReadyResponse(200, headers_200, body)
