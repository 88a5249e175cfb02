"""Cross-cutting HTTP protections installed on every app."""

from __future__ import annotations

import inspect

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from salingjaga.core.errors import error_body
from salingjaga.core.settings import Settings


class BodyLimit:
    """Refuses bodies over the limit with 413 before reading them into memory."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._reject(send)
            return
        seen = 0
        too_big = False

        async def limited() -> Message:
            nonlocal seen, too_big
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    too_big = True
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await self._reject(send)

    async def _reject(self, send: Send) -> None:
        import json

        body = json.dumps(
            error_body("payload_too_large", f"request body larger than {self.limit} bytes")
        ).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


def is_page(request: Request) -> bool:
    """Whether a request is for a web page (HTML errors) rather than the API (JSON errors)."""
    path = request.url.path
    return not (path.startswith(("/api/", "/static/")) or path in ("/healthz", "/readyz", "/metrics"))


def install_page_errors(app: FastAPI) -> None:
    """Errors on pages become pages: an unauthenticated visitor is sent to the login form
    with ``next``, any other error shows a translated error page with the same status. The
    API keeps its JSON errors and its 401."""
    from salingjaga.core.errors import APIError

    api_handler = app.exception_handlers[APIError]
    validation_handler = app.exception_handlers[RequestValidationError]
    http_handler = app.exception_handlers[StarletteHTTPException]

    async def page_error(request: Request, exc: Exception) -> Response:
        from salingjaga.web.login import login_redirect
        from salingjaga.web.pages import render_app

        if not is_page(request):
            if isinstance(exc, APIError):
                handler = api_handler
            elif isinstance(exc, RequestValidationError):
                handler = validation_handler
            else:
                handler = http_handler
            result = handler(request, exc)
            return await result if inspect.isawaitable(result) else result
        message: str | APIError  # an APIError keeps its reason, which the page says in words
        if isinstance(exc, APIError):
            status, code, message = exc.status, exc.code, exc
        elif isinstance(exc, RequestValidationError):
            status, code = 422, "invalid"
            message = "; ".join(
                f"{'.'.join(str(p) for p in e.get('loc', ()) if p not in ('body', 'query'))}: {e.get('msg')}"
                for e in exc.errors()[:5])
        elif isinstance(exc, StarletteHTTPException):
            status, code, message = exc.status_code, "error", str(exc.detail)
        else:  # pragma: no cover - only the three types are registered
            raise exc
        if status == 401:
            return login_redirect(request)
        return render_app(request, "web/error.html",
                          {"status": status, "code": code, "message": message}, status=status)

    app.add_exception_handler(APIError, page_error)
    app.add_exception_handler(RequestValidationError, page_error)
    app.add_exception_handler(StarletteHTTPException, page_error)


def install(app: FastAPI, settings: Settings) -> None:
    """Add the middleware of this module to ``app`` (security headers are added once, by
    ``auth.middleware``, for pages and API alike)."""
    from salingjaga.web.csrf import AnonCsrfCookie

    app.add_middleware(AnonCsrfCookie, secure=settings.cookie_secure)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    install_page_errors(app)
