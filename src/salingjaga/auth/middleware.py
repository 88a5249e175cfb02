"""Security headers on every response, request rate limits (429 with Retry-After) and the
checks on JSON bodies that no parser makes (nesting depth, NUL characters)."""

from __future__ import annotations

import json
import re

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from salingjaga.auth.ratelimit import Counter, MemoryCounter, RedisCounter, client_key, retry_after
from salingjaga.errors import error_body
from salingjaga.inputlimits import NUL_MESSAGE, json_too_deep, too_deep_message
from salingjaga.settings import Settings

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
# Health probes and static files are exempt from limits: orchestrators poll them.
EXEMPT_PREFIXES = ("/healthz", "/readyz", "/static/", "/metrics")


class SecurityHeaders:
    """Adds CSP, nosniff, frame-ancestors and referrer policy to every HTTP response."""

    def __init__(self, app: ASGIApp, hsts: bool) -> None:
        self.app = app
        self.extra = [*HEADERS]
        if hsts:
            self.extra.append((b"strict-transport-security", b"max-age=31536000"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in self.extra if k not in present
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RateLimit:
    """Per-key (or per-address) requests per minute; over the limit answers 429."""

    def __init__(self, app: ASGIApp, limit: int, counter: Counter) -> None:
        self.app = app
        self.limit = limit
        self.counter = counter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        auth = headers.get(b"authorization", b"").decode("latin-1") or None
        client = scope.get("client")
        key = client_key(auth, client[0] if client else None)
        if not await self.counter.allow(key, 60, self.limit):
            wait = retry_after(60)
            body = json.dumps(error_body(
                "rate_limited", f"too many requests: at most {self.limit} per minute; retry in {wait}s"
            )).encode()
            await send({"type": "http.response.start", "status": 429, "headers": [
                (b"content-type", b"application/json"), (b"retry-after", str(wait).encode()),
                (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


# A JSON \u0000 escape not itself escaped (an even run of backslashes before it).
_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
# Routes that take many rows in one body and answer per row: a NUL in one row is that
# row's error (``partners.bulk``), not a reason to refuse the rows beside it.
PER_ROW_PATHS = frozenset({"/api/v1/notices/bulk"})
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class GuardJson:
    """Checks JSON request bodies before any parser sees them, on every backend alike:

    - nesting deeper than ``MAX_JSON_DEPTH`` is a 422 (``too_deep``): the parsers recurse
      per level and a thousand ``[`` would be a ``RecursionError``;
    - a NUL character (``\\u0000``) is a 422: PostgreSQL cannot store it and no legitimate
      text needs it (routes in ``PER_ROW_PATHS`` refuse it per row instead).

    A body counts as JSON when its content type says so or when it has none (FastAPI parses
    an untyped body as JSON). The body is read once and replayed to the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        ctype = dict(scope.get("headers") or []).get(b"content-type", b"").lower()
        if ctype and b"json" not in ctype:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if json_too_deep(body):
            await _refuse(send, "too_deep", too_deep_message())
            return
        if scope["path"] not in PER_ROW_PATHS and _NUL_ESCAPE.search(body):
            await _refuse(send, "invalid", f"text fields: {NUL_MESSAGE}")
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


# The name this middleware had when it only refused NUL characters.
RejectNul = GuardJson


async def _refuse(send: Send, code: str, message: str) -> None:
    payload = json.dumps(error_body(code, message)).encode()
    await send({"type": "http.response.start", "status": 422, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})


def install(app: FastAPI, settings: Settings) -> None:
    """Add security headers and rate limits to ``app``."""
    counter: Counter = RedisCounter(settings.redis_url) if settings.stream == "redis" else MemoryCounter()
    app.add_middleware(GuardJson)
    app.add_middleware(RateLimit, limit=settings.rate_limit_per_minute, counter=counter)
    app.add_middleware(SecurityHeaders, hsts=settings.cookie_secure)
