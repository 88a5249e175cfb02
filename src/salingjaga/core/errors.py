"""One error shape for the whole API: ``{"error": {"code": ..., "message": ...}}``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException


class APIError(Exception):
    """An error a caller can act on; raised by services and routes alike.

    ``code`` is the error's class (``not_found``, ``invalid``...). ``reason`` names this
    particular error for good (``content.unknown_url``): a client and the web pages key on
    it, never on the English ``message``, which may be reworded. ``params`` are the values
    the message quotes (a URL, a limit), so a page can say the same in its own language."""

    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        details: Any = None,
        headers: dict[str, str] | None = None,
        reason: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code
        self.details = details
        self.headers = headers
        self.reason = reason
        self.params: dict[str, Any] = dict(params or {})


class Unauthorized(APIError):
    """No or an unknown credential (401)."""

    status = 401
    code = "unauthorized"


class Forbidden(APIError):
    """The caller's role may not do this (403)."""

    status = 403
    code = "forbidden"


class NotFound(APIError):
    """Missing, or not visible to this caller (404): we never confirm what exists."""

    status = 404
    code = "not_found"


class Conflict(APIError):
    """The request clashes with stored state (409)."""

    status = 409
    code = "conflict"


class ServiceBusy(APIError):
    """The server cannot take this request now (503 with ``Retry-After``): a bounded wait
    for the database ran out. Nothing was written; the same request may be sent again."""

    status = 503
    code = "busy"

    def __init__(self, message: str, *, retry_after: int = 2, reason: str = "service.busy") -> None:
        super().__init__(message, headers={"Retry-After": str(retry_after)}, reason=reason)


class Invalid(APIError):
    """A field is wrong in a way the schema cannot express (422)."""

    status = 422
    code = "invalid"


def first_error_message(exc: ValidationError, fallback: str) -> str:
    """``field: message`` for the first thing pydantic found wrong (``fallback`` names a
    whole-object error)."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ())) or fallback
    return f"{where}: {first['msg']}"


# pydantic's error types -> the stable reason a page says them by (``web.reasons``).
_INPUT_REASONS = {
    "missing": "input.missing", "string_too_long": "input.too_long", "string_too_short": "input.too_short",
    "too_long": "input.too_many", "too_short": "input.too_few",
}


def input_reason(errors: Sequence[Mapping[str, Any]], fallback: str) -> tuple[str, dict[str, Any]]:
    """The stable reason and values of the first input error pydantic reported, so a page
    can say it in its own language instead of pydantic's English: the field it concerns
    (without the ``body``/``query`` part FastAPI adds) and the limit it broke."""
    first = errors[0]
    loc = [str(p) for p in first.get("loc", ()) if not isinstance(p, int) and p not in ("body", "query")]
    ctx = first.get("ctx") or {}
    limit = ctx.get("max_length", ctx.get("min_length"))
    params: dict[str, Any] = {"field": loc[0] if loc else fallback}
    if limit is not None:
        params["n"] = limit
    return _INPUT_REASONS.get(str(first.get("type")), "input.invalid"), params


def invalid_input(exc: ValidationError, fallback: str) -> Invalid:
    """A 422 for the first thing pydantic found wrong in a form: the API's ``field:
    message`` text, with the reason and values ``input_reason`` gives."""
    reason, params = input_reason(exc.errors(), fallback)
    return Invalid(first_error_message(exc, fallback), reason=reason, params=params)


def error_body(code: str, message: str, details: Any = None, reason: str | None = None) -> dict[str, Any]:
    """The JSON body of an error response (``reason`` only for an error that has one)."""
    err: dict[str, Any] = {"code": code, "message": message}
    if reason:
        err["reason"] = reason
    if details is not None:
        err["details"] = details
    return {"error": err}


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
}


def _describe_validation(exc: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    details = []
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        msg = str(err.get("msg", "invalid"))
        details.append({"field": loc, "message": msg})
        parts.append(f"{loc}: {msg}")
    return "; ".join(parts[:5]) or "invalid request", details


def install_error_handlers(app: FastAPI) -> None:
    """Map every error to the single JSON shape."""

    @app.exception_handler(APIError)
    async def _api_error(_: Request, exc: APIError) -> JSONResponse:
        return JSONResponse(
            error_body(exc.code, exc.message, exc.details, exc.reason), exc.status, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        message, details = _describe_validation(exc)
        if any(d["message"].startswith("JSON decode error") for d in details):
            return JSONResponse(error_body("malformed_json", "body is not valid JSON"), 400)
        return JSONResponse(error_body("invalid", message, details), 422)

    @app.exception_handler(DataError)
    async def _data(_: Request, exc: DataError) -> JSONResponse:
        # The database refused a value the schema let through (the transaction has been
        # rolled back by then): a NUL character PostgreSQL cannot store, a number out of
        # range. The caller can fix it, so it is a 422, never a 500.
        if "NUL" in str(exc.orig):
            message = "text fields must not contain NUL (\\u0000) characters"
        else:
            message = "a value is out of range for its field"
        return JSONResponse(error_body("invalid", message), 422)

    @app.exception_handler(PoolTimeout)
    async def _pool(_: Request, exc: PoolTimeout) -> JSONResponse:
        return _busy(exc)

    @app.exception_handler(OperationalError)
    async def _operational(_: Request, exc: OperationalError) -> JSONResponse:
        # Only a bounded wait that ran out is the caller's to retry; anything else stays a 500.
        if not is_busy_error(exc):
            raise exc
        return _busy(exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        return JSONResponse(
            error_body(code, message), exc.status_code, headers=getattr(exc, "headers", None)
        )


# SQLite's "database is locked" (another process held the writer past the busy timeout), and
# PostgreSQL's lock_timeout (55P03) and statement_timeout (57014).
_BUSY_SQLSTATES = {"55P03", "57014"}


def is_busy_error(exc: OperationalError) -> bool:
    """Whether a driver error is a bounded wait that ran out (retrying may succeed)."""
    orig = exc.orig
    if getattr(orig, "sqlstate", None) in _BUSY_SQLSTATES:
        return True
    return "database is locked" in str(orig) or "database is busy" in str(orig)


def as_busy(exc: BaseException) -> ServiceBusy | None:
    """The 503 an exception stands for when it is a bounded wait that ran out (wherever it
    was raised: a route, or a middleware outside the app's exception handlers); else None."""
    if isinstance(exc, ServiceBusy):
        return exc
    if isinstance(exc, PoolTimeout):
        return ServiceBusy("the server is busy: no database connection became free in time")
    if isinstance(exc, OperationalError) and is_busy_error(exc):
        return ServiceBusy("the database is busy; nothing was written, send the request again")
    return None


def _busy(exc: BaseException) -> JSONResponse:
    busy = as_busy(exc)
    assert busy is not None  # only called for the errors as_busy names
    return JSONResponse(error_body(busy.code, busy.message), busy.status, headers=busy.headers)
