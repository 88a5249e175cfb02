"""Security headers on every response, request rate limits (429 with Retry-After) and the
checks on JSON bodies that no parser makes (nesting depth, NUL characters).

``SecurityHeaders`` is the outermost middleware of the app (``create_app`` adds it after
every domain's): every response, including a 413 or 429 another middleware answers and
the 500 of an unhandled exception, carries the headers and the one error shape.
"""

from __future__ import annotations

import json
import re

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from salingjaga.auth.deps import bearer_token, principal_for_key
from salingjaga.auth.ratelimit import Counter, LoginLimits, MemoryCounter, RedisCounter, retry_after
from salingjaga.auth.service import hash_key
from salingjaga.core.errors import as_busy, error_body
from salingjaga.core.inputlimits import NUL_MESSAGE, json_too_deep, too_deep_message
from salingjaga.core.settings import Settings

# No 'unsafe-inline': every script and style sheet is a file under /static/, so a script,
# on* handler or style attribute injected into a page is refused by the browser. Pages
# with an inline block of their own (the guide) allow it by its hash in their own policy.
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; "
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
EXEMPT_PREFIXES = ("/healthz", "/readyz", "/static/")
WINDOW_SECONDS = 60


async def send_error(send: Send, status: int, code: str, message: str,
                     headers: list[tuple[bytes, bytes]] | None = None, reason: str | None = None) -> None:
    """Answer with the one JSON error shape from inside a middleware."""
    body = json.dumps(error_body(code, message, reason=reason)).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """Adds CSP, nosniff, frame-ancestors and referrer policy to every HTTP response, and
    turns an exception no handler took into a 500 in the error shape (then re-raises it, so
    the server logs it): without this, Starlette's last-resort 500 is plain text outside
    every middleware and carries none of the headers."""

    def __init__(self, app: ASGIApp, hsts: bool) -> None:
        self.app = app
        self.extra = [*HEADERS]
        if hsts:
            self.extra.append((b"strict-transport-security", b"max-age=31536000"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in self.extra if k not in present
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            busy = as_busy(exc)  # a bounded wait ran out in a middleware: the caller may retry
            if busy is not None and not started:
                await send_error(send_with_headers, busy.status, busy.code, busy.message,
                                 [(k.lower().encode(), v.encode()) for k, v in (busy.headers or {}).items()],
                                 busy.reason)
                return
            if not started:
                await send_error(send_with_headers, 500, "internal_error",
                                 "the server failed to answer this request; the error is logged, "
                                 "please try again or report it")
            raise


class RateLimit:
    """Requests per minute per caller; over the limit answers 429 with Retry-After.

    The caller is the principal an API key belongs to (all of a user's keys share one
    budget) when the key is known, else the client address. A key not seen lately costs
    its address one request before it is looked up, so made-up keys neither open budgets
    of their own nor buy database look-ups beyond the address's limit; a key found unknown
    is remembered briefly (``AuthCache``) and counted on the address without a query.
    """

    def __init__(self, app: ASGIApp, limit: int, counter: Counter) -> None:
        self.app = app
        self.limit = limit
        self.counter = counter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address_key = f"ip:{client[0] if client else 'unknown'}"
        token = None
        for name, value in scope.get("headers") or []:
            if name == b"authorization":
                token = bearer_token(value.decode("latin-1"))
                break
        app = scope.get("app")
        if token is None or app is None:
            key = address_key
        else:
            cache = app.state.auth_cache
            key_hash = hash_key(token)
            principal = cache.get(key_hash)
            if principal is None and not cache.is_unknown(key_hash):
                if not await self.counter.allow(address_key, WINDOW_SECONDS, self.limit):
                    await self._refuse(send)
                    return
                principal = await principal_for_key(app, token)
                if principal is None:  # paid for by its address already
                    await self.app(scope, receive, send)
                    return
            if principal is not None:
                # The route's dependencies find the caller here and look nothing up again.
                scope.setdefault("state", {})["principal"] = principal
            key = f"user:{principal.user_id}" if principal is not None else address_key
        if not await self.counter.allow(key, WINDOW_SECONDS, self.limit):
            await self._refuse(send)
            return
        await self.app(scope, receive, send)

    async def _refuse(self, send: Send) -> None:
        wait = retry_after(WINDOW_SECONDS)
        await send_error(send, 429, "rate_limited",
                         f"too many requests: at most {self.limit} per minute; retry in {wait}s",
                         [(b"retry-after", str(wait).encode())])


# A JSON \u0000 escape not itself escaped (an even run of backslashes before it).
_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def has_nul_escape(body: bytes) -> bool:
    """Whether a JSON text holds a ``\\u0000`` escape that is not itself escaped. The
    regular expression tries every position of the body (17 ms for 50 KB); a plain
    substring search rules out nearly every body first (microseconds)."""
    return b"\\u0000" in body and _NUL_ESCAPE.search(body) is not None


# Routes that take many rows in one body and answer per row: a NUL in one row is that
# row's error (``notices.bulk``), not a reason to refuse the rows beside it.
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
            await send_error(send, 422, "too_deep", too_deep_message(), reason="json.too_deep")
            return
        if scope["path"] not in PER_ROW_PATHS and has_nul_escape(body):
            await send_error(send, 422, "invalid", f"text fields: {NUL_MESSAGE}", reason="input.nul")
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


def make_counter(settings: Settings) -> Counter:
    """Counters in Redis when the app runs on the Redis stream (several API processes),
    else in this process."""
    return (RedisCounter(settings.redis_url, namespace=settings.stream_name) if settings.stream == "redis"
            else MemoryCounter())


def install(app: FastAPI, settings: Settings) -> None:
    """Add rate limits and the JSON body checks to ``app``; the counter is kept on
    ``app.state.rate_counter``, and the limits of failed sign-ins that count on it on
    ``app.state.login_limits``."""
    counter = make_counter(settings)
    app.state.rate_counter = counter
    app.state.login_limits = LoginLimits(counter)
    app.add_middleware(GuardJson)
    app.add_middleware(RateLimit, limit=settings.rate_limit_per_minute, counter=counter)


def install_outermost(app: FastAPI, settings: Settings) -> None:
    """Add the security headers as the outermost middleware: ``create_app`` calls this after
    every domain's middleware, so the responses those answer themselves carry them too."""
    app.add_middleware(SecurityHeaders, hsts=settings.cookie_secure)
