"""CSRF protection for every form.

Signed-in pages carry the session's own random token (stored server-side with the session).
Before sign-in (the login form) there is no session, so a random ``sj_csrf`` cookie is set
and the form carries HMAC(secret_key, cookie): a cross-site page can neither read the cookie
nor compute the HMAC. SameSite=Lax cookies are a second line, not the only one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from http.cookies import SimpleCookie

from fastapi import Depends, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from salingjaga.auth.deps import optional_principal
from salingjaga.auth.principal import Principal
from salingjaga.core.errors import Forbidden

ANON_COOKIE = "sj_csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class CsrfRejected(Forbidden):
    """A state-changing request without a valid token (403)."""

    code = "csrf_failed"


def anon_token(secret: str, nonce: str) -> str:
    """The form token for a browser without a session."""
    return hmac.new(secret.encode("utf-8"), b"csrf:" + nonce.encode("utf-8"), hashlib.sha256).hexdigest()


def expected_token(request: Request) -> str:
    """The token this request's forms must carry (the session's, else the anonymous one)."""
    session_token = getattr(request.state, "session_csrf", None)
    if session_token:
        return str(session_token)
    nonce = getattr(request.state, "anon_nonce", None) or request.cookies.get(ANON_COOKIE, "")
    if not nonce:
        return ""
    return anon_token(request.app.state.settings.secret_key, nonce)


async def check_csrf(request: Request) -> None:
    """Refuse an unsafe request whose form field or header lacks the expected token."""
    if request.method not in UNSAFE:
        return
    expected = expected_token(request)
    presented = request.headers.get(HEADER, "")
    if not presented and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(FIELD)
        presented = value if isinstance(value, str) else ""
    if not expected or not presented or not hmac.compare_digest(expected, presented):
        raise CsrfRejected("the form has expired or did not come from this site; reload the page and try again",
                           reason="form.expired")


async def page_guard(
    request: Request, principal: Principal | None = Depends(optional_principal)
) -> Principal | None:
    """Router-level dependency of every page router: identifies the caller (so the layout
    shows their navigation and the right CSRF token) and checks CSRF on unsafe methods."""
    request.state.csrf_token = expected_token(request)
    await check_csrf(request)
    return principal


class AnonCsrfCookie:
    """Gives every browser an ``sj_csrf`` nonce cookie the first time it visits."""

    def __init__(self, app: ASGIApp, secure: bool) -> None:
        self.app = app
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path", "").startswith(("/api/", "/static/")):
            await self.app(scope, receive, send)
            return
        raw = b"; ".join(v for k, v in scope.get("headers") or [] if k == b"cookie").decode("latin-1")
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(raw)
        except Exception:  # a malformed cookie header is treated as none
            jar = SimpleCookie()
        if ANON_COOKIE in jar and 16 <= len(jar[ANON_COOKIE].value) <= 100:
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(24)
        scope.setdefault("state", {})["anon_nonce"] = nonce
        attrs = f"{ANON_COOKIE}={nonce}; Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if self.secure else "")

        async def with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"set-cookie", attrs.encode("latin-1"))]
            await send(message)

        await self.app(scope, receive, with_cookie)
