"""A typed Python client for the SalingJaga API (httpx).

Answers are the API's own response models, so a field the server documents is a typed
attribute here; ``tests/test_client.py`` checks every operation below against the OpenAPI
document (method, path and answer schema) and runs the client against a live server.

Retries: a request is sent again after a connection error, a 429 or a 503 (waiting as
``Retry-After`` says, else backing off), but only when sending it twice cannot do a thing
twice: reads, and writes that carry an ``Idempotency-Key`` (notices; a retried notice gets the
first one's receipt) or are idempotent by their own id (content and accounts, by the
platform's id). Every notice and content write gets a fresh key unless the caller passes one.

    with Client("http://127.0.0.1:8000", api_key) as api:
        item = api.post_content({"platform_id": "7301", "kind": "video", "account_id": "u-1"})
        receipt = api.post_notice({"content": [{"content_id": item.id}], "policy": "...",
                                   "good_faith": True})
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter

from salingjaga.content.schemas import AccountOut, ContentOut
from salingjaga.moderation.schemas import CaseDetail, ClaimOut, DecisionCreated, DecisionOut, StatementOut
from salingjaga.notices.schemas import NoticeOut, NoticeReceipt
from salingjaga.partners.schemas import MeOut

M = TypeVar("M", bound=BaseModel)
RETRY_STATUSES = frozenset({429, 502, 503, 504})

# Each operation: (method, path template, answer model). Checked against /openapi.json.
OPERATIONS: dict[str, tuple[str, str, Any]] = {
    "me": ("GET", "/api/v1/me", MeOut),
    "post_account": ("POST", "/api/v1/accounts", AccountOut),
    "post_content": ("POST", "/api/v1/content", ContentOut),
    "get_content": ("GET", "/api/v1/content/{content_id}", ContentOut),
    "post_notice": ("POST", "/api/v1/notices", NoticeReceipt),
    "get_notice": ("GET", "/api/v1/notices/{notice_id}", NoticeOut),
    "list_notices": ("GET", "/api/v1/notices", list[NoticeOut]),
    "claim": ("POST", "/api/v1/queue/claim", ClaimOut),
    "get_case": ("GET", "/api/v1/cases/{case_id}", CaseDetail),
    "decide": ("POST", "/api/v1/cases/{case_id}/decisions", DecisionCreated),
    "get_decision": ("GET", "/api/v1/decisions/{decision_id}", DecisionOut),
    "get_statement": ("GET", "/api/v1/statements/{statement_id}", StatementOut),
}


class ApiError(Exception):
    """An answer in the API's error shape (or a failure to get any answer)."""

    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message, self.details = status, code, message, details


def _body(data: BaseModel | Mapping[str, Any]) -> Any:
    return data.model_dump(mode="json", exclude_unset=True) if isinstance(data, BaseModel) else dict(data)


class Client:
    """One API key's client; a context manager that closes its connections."""

    def __init__(self, base_url: str, api_key: str | None = None, *, timeout: float = 30.0,
                 retries: int = 3, backoff: float = 0.5, http: httpx.Client | None = None) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.http = http or httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout)
        self.http.headers.update(headers)
        self.retries = retries
        self.backoff = backoff

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections."""
        self.http.close()

    # --- the transport --------------------------------------------------------------------

    def request(self, method: str, path: str, *, json: Any = None, params: Mapping[str, Any] | None = None,
                headers: Mapping[str, str] | None = None, retry: bool | None = None) -> httpx.Response:
        """Send a request, retrying where that is safe; raise ``ApiError`` on a 4xx/5xx."""
        safe = method in ("GET", "HEAD") if retry is None else retry
        attempt = 0
        while True:
            try:
                response = self.http.request(method, path, json=json, params=params, headers=headers)
            except httpx.TransportError as exc:
                if not safe or attempt >= self.retries:
                    raise ApiError(0, "unreachable", f"{type(exc).__name__}: {exc}") from exc
                wait = self.backoff * 2 ** attempt
            else:
                if response.status_code < 400:
                    return response
                if not (safe and response.status_code in RETRY_STATUSES and attempt < self.retries):
                    raise _error(response)
                wait = _retry_after(response, self.backoff * 2 ** attempt)
            attempt += 1
            time.sleep(wait)

    def _call(self, operation: str, *, path_args: Mapping[str, str] | None = None, **kwargs: Any) -> Any:
        method, template, model = OPERATIONS[operation]
        response = self.request(method, template.format(**(path_args or {})), **kwargs)
        return TypeAdapter(model).validate_python(response.json())

    # --- operations -----------------------------------------------------------------------

    def me(self) -> MeOut:
        """Who the key belongs to."""
        result: MeOut = self._call("me")
        return result

    def post_account(self, account: BaseModel | Mapping[str, Any]) -> AccountOut:
        """Take in an account (idempotent on its ``platform_id``)."""
        result: AccountOut = self._call("post_account", json=_body(account), retry=True)
        return result

    def post_content(self, item: BaseModel | Mapping[str, Any], *,
                     idempotency_key: str | None = None) -> ContentOut:
        """Take in a content item (idempotent on its ``platform_id``; the key is sent too)."""
        headers = {"Idempotency-Key": idempotency_key or str(uuid.uuid4())}
        result: ContentOut = self._call("post_content", json=_body(item), headers=headers, retry=True)
        return result

    def get_content(self, content_id: str) -> ContentOut:
        """A content item by our id or the platform's."""
        result: ContentOut = self._call("get_content", path_args={"content_id": content_id})
        return result

    def post_notice(self, notice: BaseModel | Mapping[str, Any], *,
                    idempotency_key: str | None = None) -> NoticeReceipt:
        """File a notice; a retry with the same key returns the first receipt."""
        headers = {"Idempotency-Key": idempotency_key or str(uuid.uuid4())}
        result: NoticeReceipt = self._call("post_notice", json=_body(notice), headers=headers, retry=True)
        return result

    def get_notice(self, notice_id: str) -> NoticeOut:
        """A notice's status and, once decided, its decision."""
        result: NoticeOut = self._call("get_notice", path_args={"notice_id": notice_id})
        return result

    def list_notices(self, *, status: str | None = None, limit: int = 100, offset: int = 0) -> list[NoticeOut]:
        """Notices the key may see."""
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if status:
            params["status"] = status
        result: list[NoticeOut] = self._call("list_notices", params=params)
        return result

    def claim(self) -> ClaimOut | None:
        """Lease the most urgent waiting case (None when nothing waits). Not retried: a lost
        answer would leave a case leased to nobody who knows it."""
        method, path, _ = OPERATIONS["claim"]
        response = self.request(method, path, retry=False)
        return None if response.status_code == 204 else ClaimOut.model_validate(response.json())

    def get_case(self, case_id: str) -> CaseDetail:
        """A case with its content, notices, signals and account history."""
        result: CaseDetail = self._call("get_case", path_args={"case_id": case_id})
        return result

    def decide(self, case_id: str, decision: BaseModel | Mapping[str, Any]) -> DecisionCreated:
        """Decide a case you hold (not retried: a decision is taken once)."""
        result: DecisionCreated = self._call("decide", path_args={"case_id": case_id}, json=_body(decision),
                                             retry=False)
        return result

    def get_decision(self, decision_id: str) -> DecisionOut:
        """One decision."""
        result: DecisionOut = self._call("get_decision", path_args={"decision_id": decision_id})
        return result

    def get_statement(self, statement_id: str) -> StatementOut:
        """A statement of reasons in the DSA Transparency Database's fields."""
        result: StatementOut = self._call("get_statement", path_args={"statement_id": statement_id})
        return result

    def healthy(self) -> bool:
        """Whether the server answers /healthz (no retries, no error)."""
        try:
            return self.http.get("/healthz").status_code == 200
        except httpx.HTTPError:
            return False


def prepare(operation: str, *, api_key: str, body: BaseModel | Mapping[str, Any] | None = None,
            path_args: Mapping[str, str] | None = None,
            idempotency_key: str | None = None) -> tuple[str, str, dict[str, str], Any]:
    """``(method, path, headers, body)`` of one operation, for a caller with its own transport
    (the benchmarks' load generator, which must spend less CPU per request than httpx)."""
    method, template, _ = OPERATIONS[operation]
    headers = {"Authorization": f"Bearer {api_key}"}
    if idempotency_key is not None:
        headers["Idempotency-Key"] = idempotency_key
    return method, template.format(**(path_args or {})), headers, None if body is None else _body(body)


def parse(operation: str, payload: bytes) -> Any:
    """An operation's answer (JSON bytes) as its typed model."""
    return TypeAdapter(OPERATIONS[operation][2]).validate_json(payload)


def _retry_after(response: httpx.Response, default: float) -> float:
    try:
        return min(float(response.headers.get("Retry-After", "")), 30.0)
    except ValueError:
        return default


def _error(response: httpx.Response) -> ApiError:
    try:
        err = response.json()["error"]
        return ApiError(response.status_code, str(err.get("code", "")), str(err.get("message", "")),
                        err.get("details"))
    except (ValueError, KeyError, TypeError, AttributeError):
        return ApiError(response.status_code, "http_error", response.text[:500])
