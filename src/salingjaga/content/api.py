"""Intake API for accounts and content: one object or a list (batch, per-row results)."""

from __future__ import annotations

from typing import Any

from fastapi import Body, Depends, Request, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from salingjaga.auth.deps import get_session, get_settings, require
from salingjaga.auth.principal import Principal
from salingjaga.content.models import Account, ContentItem
from salingjaga.content.schemas import (
    AccountIn,
    AccountOut,
    BatchResult,
    ContentIn,
    ContentOut,
    IntakeResult,
)
from salingjaga.content.service import (
    MAX_BATCH,
    get_account,
    get_content,
    ingest_content,
    run_batch,
    upsert_account,
)
from salingjaga.core.apimodel import documented
from salingjaga.core.errors import Invalid, input_reason
from salingjaga.core.routing import Router
from salingjaga.core.settings import Settings
from salingjaga.stream.outbox import commit_and_publish

# Rows of a content batch committed together (see post_content).
BATCH_CHUNK = 200

router = Router(prefix="/api/v1", tags=["content"])


def account_out(a: Account) -> dict[str, Any]:
    """The API shape of an account."""
    return {
        "id": a.id, "platform_id": a.platform_id, "handle": a.handle,
        "display_name": a.display_name, "kind": a.kind, "gpppa": a.gpppa,
        "verified": a.verified, "region": a.region_code, "followers": a.followers,
        "strikes": a.strikes, "restricted_features": list(a.restricted_features or []),
        "suspended_until": a.suspended_until, "banned": a.banned,
    }


def content_out(c: ContentItem) -> dict[str, Any]:
    """The API shape of a content item (media without server paths)."""
    return {
        "id": c.id, "platform_id": c.platform_id, "url": c.url, "account_id": c.account_id,
        "kind": c.kind, "caption": c.caption, "transcript": c.transcript,
        "on_screen_text": c.on_screen_text, "hashtags": list(c.hashtags or []),
        "media": [{k: v for k, v in m.items() if k != "path"} for m in (c.media or [])],
        "language": c.language, "region": c.region_code, "election": c.election,
        "ai_label": c.creator_ai_label, "posted_at": c.posted_at, "views": c.views,
        "shares": c.shares, "status": c.status, "fyp_excluded": c.fyp_excluded,
        "age_restricted": c.age_restricted, "labels": list(c.labels or []),
    }


def _single(schema: type[AccountIn] | type[ContentIn], body: dict[str, Any]) -> Any:
    try:
        return schema.model_validate(body)
    except ValidationError as exc:
        parts = [
            f"{'.'.join(str(p) for p in e.get('loc', ())) or 'body'}: {e['msg']}"
            for e in exc.errors()
        ]
        reason, params = input_reason(exc.errors(), "body")
        raise Invalid("; ".join(parts[:5]), reason=reason, params=params) from exc


def _batch_result(results: list[IntakeResult]) -> dict[str, Any]:
    return {
        "created": sum(r.status == "created" for r in results),
        "existing": sum(r.status == "existing" for r in results),
        "errors": sum(r.status == "error" for r in results),
        "results": [r.model_dump() for r in results],
    }


documented(AccountIn, ContentIn)
_ACCOUNT_DOC = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"oneOf": [
            {"$ref": "#/components/schemas/AccountIn"},
            {"type": "array", "items": {"$ref": "#/components/schemas/AccountIn"}},
        ]}}},
    }
}
_CONTENT_DOC = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"oneOf": [
            {"$ref": "#/components/schemas/ContentIn"},
            {"type": "array", "items": {"$ref": "#/components/schemas/ContentIn"}},
        ]}}},
    }
}


@router.post(
    "/accounts",
    status_code=201,
    openapi_extra=_ACCOUNT_DOC,
    responses={201: {"description": "a new account", "model": AccountOut},
               200: {"description": "already known (the account), or a batch (per-row results)",
                     "model": AccountOut | BatchResult}},
)
def post_accounts(
    response: Response,
    body: dict[str, Any] | list[Any] = Body(...),
    session: Session = Depends(get_session),
    who: Principal = Depends(require("content.ingest")),
) -> dict[str, Any]:
    """Take in one account (201, or 200 if known) or a list of them (200, per-row results)."""
    if isinstance(body, list):
        results = run_batch(session, body, AccountIn, lambda a: upsert_account(session, a, who))
        response.status_code = 200
        return _batch_result(results)
    account, created = upsert_account(session, _single(AccountIn, body), who)
    response.status_code = 201 if created else 200
    return account_out(account)


@router.get("/accounts/{account_id}", response_model=AccountOut)
def get_account_detail(
    account_id: str,
    session: Session = Depends(get_session),
    _: Principal = Depends(require("accounts.read")),
) -> dict[str, Any]:
    """An account with its moderation state, by our id or the platform's."""
    return account_out(get_account(session, account_id))


@router.post(
    "/content",
    status_code=201,
    openapi_extra=_CONTENT_DOC,
    responses={201: {"description": "a new item", "model": ContentOut},
               200: {"description": "already known (the item), or a batch (per-row results)",
                     "model": ContentOut | BatchResult}},
)
def post_content(
    request: Request,
    response: Response,
    body: dict[str, Any] | list[Any] = Body(...),
    session: Session = Depends(get_session),
    settings: Settings = Depends(get_settings),
    who: Principal = Depends(require("content.ingest")),
) -> dict[str, Any]:
    """Take in one content item or a batch; new items are queued for scanning after commit."""
    new_ids: list[str] = []
    if isinstance(body, list):

        def handle(c: ContentIn) -> tuple[ContentItem, bool]:
            item, created = ingest_content(session, c, settings.data_dir, who)
            if created:
                new_ids.append(item.id)
            return item, created

        if len(body) > MAX_BATCH:
            raise Invalid(f"a batch holds at most {MAX_BATCH} rows; got {len(body)}", status=413,
                          code="payload_too_large", reason="content.batch_too_large", params={"n": MAX_BATCH})
        # Committed a chunk at a time, so a large batch never holds SQLite's one writer for
        # long (1,000 rows held it over a second); rows are idempotent on their platform id,
        # so a batch cut short by a crash is simply sent again.
        results: list[IntakeResult] = []
        for start in range(0, len(body), BATCH_CHUNK):
            part = run_batch(session, body[start:start + BATCH_CHUNK], ContentIn, handle)
            results.extend(r.model_copy(update={"index": r.index + start}) for r in part)
            if start + BATCH_CHUNK < len(body):
                commit_and_publish(session, request.app.state.db, request.app.state.stream, "content",
                                   [{"content_id": content_id} for content_id in new_ids])
                new_ids.clear()
        out = _batch_result(results)
        response.status_code = 200
    else:
        item, created = ingest_content(session, _single(ContentIn, body), settings.data_dir, who)
        if created:
            new_ids.append(item.id)
        out = content_out(item)
        response.status_code = 201 if created else 200
    # Durable before we answer or hand the items to detection; each new item's scan message
    # commits with it (the outbox), so a server dying before the publish, or Redis refusing
    # it, cannot leave an item stored and never scanned.
    commit_and_publish(session, request.app.state.db, request.app.state.stream, "content",
                       [{"content_id": content_id} for content_id in new_ids])
    return out


@router.get("/content/{content_id}", response_model=ContentOut)
def get_content_detail(
    content_id: str,
    session: Session = Depends(get_session),
    _: Principal = Depends(require("content.read")),
) -> dict[str, Any]:
    """A content item with its current moderation state, by our id or the platform's."""
    return content_out(get_content(session, content_id))
