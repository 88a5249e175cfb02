"""The guide's JSON API: published guide for the app (cached, conditional), the editorial
workflow, notice tags on content, and reach events and figures."""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Literal, cast

from fastapi import Body, Depends, Header, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from salingjaga.auth.deps import get_session, public, require
from salingjaga.auth.principal import Principal
from salingjaga.core.db import Database
from salingjaga.core.errors import Invalid
from salingjaga.core.routing import Router, fast_path
from salingjaga.guide import reach, service, tags
from salingjaga.guide.caching import app_cache, cache_headers, conditional_answer, raw_headers
from salingjaga.guide.reach_batch import Batch, check_size, validate, wib_days
from salingjaga.guide.reach_store import ReachJob, replays
from salingjaga.guide.reach_writer import reach_writer
from salingjaga.guide.schemas import (
    DraftIn,
    DraftPatch,
    EventColumns,
    EventIn,
    EventsResult,
    GuideOut,
    GuideRegionOut,
    ReachOut,
    TagIn,
    TagLookupIn,
    TagLookupOut,
    TagOut,
    VersionDecisionIn,
    VersionOut,
)
from salingjaga.guide.tagcache import tag_cache
from salingjaga.regions.elections import get_election

router = Router(prefix="/api/v1", tags=["guide"])

Lang = Literal["id", "en"]
LangQuery = Query(default="id", description="id (Bahasa Indonesia) or en")
_JSON = "_json"  # the encoded body, cached with the payload
_HEADERS = "_headers"  # the validators and cache directives, as raw headers (a 304 sends these)
_HEADERS_200 = "_headers_200"  # ... with the body's type and length
_META = ("etag", "last_modified", _JSON, _HEADERS, _HEADERS_200)
_LANG_QUERIES = {b"": "id", b"lang=id": "id", b"lang=en": "en"}


def _encoded(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload with its JSON and response headers encoded once, for every hit."""
    body = {k: v for k, v in payload.items() if k not in _META}
    encoded = json.dumps(jsonable_encoder(body), ensure_ascii=False, allow_nan=False,
                         separators=(",", ":")).encode("utf-8")
    headers = raw_headers(cache_headers(payload["etag"], payload["last_modified"]))
    return {**payload, _JSON: encoded, _HEADERS: headers, _HEADERS_200: [
        *headers, (b"content-type", b"application/json"), (b"content-length", str(len(encoded)).encode())]}


def _load(request: Request, build: Any) -> dict[str, Any]:
    db: Database = request.app.state.db
    with db.session() as session:
        payload: dict[str, Any] = build(session)
    return _encoded(payload)


def cached_read(request: Request, key: tuple[Any, ...], build: Any) -> dict[str, Any]:
    """A published payload from the app's short-lived cache, built in its own session (one
    build at a time per key), with the JSON and headers the API answers encoded once."""
    payload: dict[str, Any] = app_cache(request.app).get_or_set(key, lambda: _load(request, build))
    return payload


async def cached_payload(request: Request, key: tuple[Any, ...], build: Any) -> dict[str, Any]:
    """``cached_read`` without leaving the event loop while the entry is fresh; just past
    fresh, one request rebuilds it in the thread pool while the others answer the stale
    copy (so an expiry at election-day load is one build, not one per waiting request)."""
    cache = app_cache(request.app)
    hit, fresh = cache.lookup(key)
    if hit is None:
        payload: dict[str, Any] = await run_in_threadpool(cached_read, request, key, build)
        return payload
    if not fresh and cache.claim_refresh(key):
        try:
            generation = cache.generation
            payload = await run_in_threadpool(_load, request, build)
            cache.store(key, payload, generation)
            return payload
        finally:
            cache.refreshed(key)
    return cast(dict[str, Any], hit)


def conditional_json(request: Request, payload: dict[str, Any]) -> Response:
    """The payload as JSON with validators, or 304 when the client's copy is current."""
    return conditional_answer(request, payload["etag"], payload["last_modified"], payload[_HEADERS],
                              payload[_HEADERS_200], payload[_JSON])


def _fresh(request: Request, key: tuple[Any, ...]) -> Response | None:
    """The answer from a fresh cache entry, or None (the route then runs as declared)."""
    hit: dict[str, Any] | None = app_cache(request.app).peek(key)
    return None if hit is None else conditional_json(request, hit)


def _guide_hit(request: Request) -> Response | None:
    """``guide`` for a query it reads without parsing (none, or ``lang=id|en``) whose entry
    is fresh: only a valid election has one."""
    lang = _LANG_QUERIES.get(request.scope["query_string"])
    if lang is None:
        return None
    return _fresh(request, ("guide", request.path_params["election"], lang, service.today_wib()))


def _region_hit(request: Request) -> Response | None:
    """``guide_region`` for a fresh entry (see ``_guide_hit``)."""
    lang = _LANG_QUERIES.get(request.scope["query_string"])
    if lang is None:
        return None
    params = request.path_params
    return _fresh(request, ("region", params["election"], params["code"], lang, service.today_wib()))


@router.get("/guide/{election}", dependencies=[Depends(public)], response_model=GuideOut,
            responses={304: {"description": "the client's copy is current (If-None-Match, If-Modified-Since)"}})
@fast_path(_guide_hit)
async def guide(request: Request, election: str, lang: Lang = LangQuery) -> Response:
    """The published guide: sections (sanitised HTML), key dates and the next one with the
    days until it, regions with candidate lists, the notice tag. ETag and Last-Modified."""
    get_election(election)
    today = service.today_wib()
    payload = await cached_payload(request, ("guide", election, lang, today),
                                   lambda s: service.published_guide(s, election, lang, today))
    return conditional_json(request, payload)


@router.get("/guide/{election}/regions/{code}", dependencies=[Depends(public)], response_model=GuideRegionOut,
            responses={304: {"description": "the client's copy is current"}})
@fast_path(_region_hit)
async def guide_region(request: Request, election: str, code: str, lang: Lang = LangQuery) -> Response:
    """Candidates (as text) and local information for a region and its province."""
    get_election(election)
    today = service.today_wib()
    payload = await cached_payload(request, ("region", election, code, lang, today),
                                   lambda s: service.published_region(s, election, code, lang, today))
    return conditional_json(request, payload)


# --- editorial ------------------------------------------------------------------------------


@router.get("/guide/{election}/versions", response_model=list[VersionOut])
def versions(
    election: str,
    lang: Lang | None = None,
    kind: Literal["section", "region", "tag"] | None = None,
    key: str | None = None,
    status: Literal["draft", "published", "rejected"] | None = None,
    session: Session = Depends(get_session),
    _: Principal = Depends(require("guide.versions.read")),
) -> list[dict[str, Any]]:
    """Every version of the election's pages (drafts too), newest first per page."""
    rows = service.list_versions(session, election, lang=lang, kind=kind, key=key, status=status)
    return [service.version_out(v, p) for v, p in rows]


@router.post("/guide/{election}/versions", status_code=201, response_model=VersionOut)
def create_version(
    election: str,
    body: DraftIn,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("guide.edit")),
) -> dict[str, Any]:
    """Write a new draft of a page; nothing is public until another editor approves it."""
    version, page = service.create_draft(session, who, election, body)
    return service.version_out(version, page)


@router.get("/guide/{election}/versions/{version_id}", response_model=VersionOut)
def version_detail(
    election: str,
    version_id: str,
    session: Session = Depends(get_session),
    _: Principal = Depends(require("guide.versions.read")),
) -> dict[str, Any]:
    """One version with its sanitised preview."""
    version, page = service.get_version(session, election, version_id)
    return service.version_out(version, page)


@router.patch("/guide/{election}/versions/{version_id}", response_model=VersionOut)
def edit_version(
    election: str,
    version_id: str,
    body: DraftPatch,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("guide.edit")),
) -> dict[str, Any]:
    """Change your own draft."""
    version, page = service.update_draft(session, who, election, version_id, body)
    return service.version_out(version, page)


@router.post("/guide/{election}/versions/{version_id}/approve", response_model=VersionOut)
def approve_version(
    request: Request,
    election: str,
    version_id: str,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("guide.approve")),
) -> dict[str, Any]:
    """Approve another editor's draft: it becomes the page's current, public version."""
    version, page = service.approve(session, who, election, version_id)
    session.commit()
    app_cache(request.app).clear()
    return service.version_out(version, page)


@router.post("/guide/{election}/versions/{version_id}/reject", response_model=VersionOut)
def reject_version(
    election: str,
    version_id: str,
    body: VersionDecisionIn = Body(default_factory=VersionDecisionIn),
    session: Session = Depends(get_session),
    who: Principal = Depends(require("guide.approve")),
) -> dict[str, Any]:
    """Close a draft unpublished (with the reason when it is not your own)."""
    version, page = service.reject(session, who, election, version_id, body.reason)
    return service.version_out(version, page)


@router.post("/guide/{election}/versions/{version_id}/rollback", response_model=VersionOut)
def rollback_version(
    request: Request,
    election: str,
    version_id: str,
    body: VersionDecisionIn = Body(default_factory=VersionDecisionIn),
    session: Session = Depends(get_session),
    who: Principal = Depends(require("guide.approve")),
) -> dict[str, Any]:
    """Make this earlier published version current again (recorded in the audit log)."""
    version, page = service.rollback(session, who, election, version_id, body.reason)
    session.commit()
    app_cache(request.app).clear()
    return service.version_out(version, page)


# --- notice tags ----------------------------------------------------------------------------


@router.get("/content/{content_id}/tag", response_model=TagOut, responses={204: {"description": "no notice tag"}})
def content_tag(
    content_id: str,
    lang: Lang = LangQuery,
    session: Session = Depends(get_session),
    _: Principal = Depends(require("guide.tags.read")),
) -> Response:
    """The notice tag the app shows on a content item, or 204 when it carries none."""
    tag = tags.tag_for(session, content_id, lang)
    if tag is None:
        return Response(status_code=204)
    return JSONResponse(jsonable_encoder(tag))


@router.post("/content/{content_id}/tag", response_model=TagOut)
def set_content_tag(
    content_id: str,
    body: TagIn = Body(default_factory=TagIn),
    lang: Lang = LangQuery,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("guide.tags.write")),
) -> dict[str, Any]:
    """Tag an item by hand (a moderator's or the platform's decision)."""
    tags.explicit_tag(session, who, content_id, body)
    tag = tags.tag_for(session, content_id, lang)
    assert tag is not None
    return tag


@router.delete("/content/{content_id}/tag", status_code=204)
def delete_content_tag(
    content_id: str,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("guide.tags.write")),
) -> Response:
    """Take the tag off an item; later scans leave it off."""
    tags.remove_tag(session, who, content_id)
    return Response(status_code=204)


@router.post("/tags/lookup", response_model=TagLookupOut)
def lookup_tags(
    request: Request,
    body: TagLookupIn,
    lang: Lang = LangQuery,
    session: Session = Depends(get_session),
    _: Principal = Depends(require("guide.tags.read")),
) -> Response:
    """The notice tags of up to 1,000 content items in one call: ``tags`` maps each id sent
    to its tag or null, ``unknown`` lists ids that name no item. Reads only the tags the
    scan applied (see ``GET /content/{id}/tag`` for one item)."""
    answer = tags.lookup_tags(session, body.content_ids, lang, tag_cache(request.app))
    return Response(answer, media_type="application/json")


# --- reach ----------------------------------------------------------------------------------


@router.post("/guide/events", response_model=EventsResult)
async def post_events(
    request: Request,
    events: list[EventIn],
    idempotency_key: str | None = Header(default=None, max_length=200),
    _: Principal = Depends(require("guide.events.write")),
) -> EventsResult:
    """Count a batch of view and click events from the app, all or nothing. Send an
    ``Idempotency-Key`` so a retried batch is not counted twice. Apps that send many
    events can send the same batch as columns (``POST /guide/events/columns``)."""
    return await _count(request, Batch(events), idempotency_key)


@router.post("/guide/events/columns", response_model=EventsResult, openapi_extra={"requestBody": {
    "required": True, "content": {"application/json": {"schema": EventColumns.model_json_schema()}}}})
async def post_event_columns(
    request: Request,
    idempotency_key: str | None = Header(default=None, max_length=200),
    _: Principal = Depends(require("guide.events.write")),
) -> EventsResult:
    """``POST /guide/events`` with the batch as columns (one list per field, the n-th entry
    of each is the n-th event): the same rules, answers and idempotency, a third of the
    bytes and far less work per event, for the app's backend at election-day load. The
    body is parsed and validated in one pass (``EventColumns``), not parsed to Python
    objects first."""
    try:
        events = EventColumns.model_validate_json(await request.body())
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]) from exc
    return await _count(request, Batch(events), idempotency_key)


async def _count(request: Request, batch: Batch, idempotency_key: str | None) -> EventsResult:
    """Check the batch here, on the event loop (a bad one is refused with nothing written),
    then hand it to the server's writer, which answers once its transaction committed
    (``reach_writer``: batches that arrive together share one transaction)."""
    check_size(batch)
    try:
        validate(batch)
    except Invalid:
        # A batch already counted under its key is answered as before, whatever it holds now.
        done = await run_in_threadpool(_replay, request.app.state.db, idempotency_key) if idempotency_key else None
        if done is not None:
            return done
        raise
    job = ReachJob(batch, wib_days(batch.at), idempotency_key or None)
    return await reach_writer(request.app).submit(job)


def _replay(db: Database, key: str) -> EventsResult | None:
    with db.engine.connect() as conn:
        return replays(conn, [key]).get(key)


@router.get("/guide/{election}/reach", response_model=ReachOut)
def guide_reach(
    election: str,
    start: date = Query(alias="from"),
    end: date = Query(alias="to"),
    region: str | None = None,
    session: Session = Depends(get_session),
    _: Principal = Depends(require("guide.reach.read")),
) -> dict[str, Any]:
    """Reach between two days: tagged items, their views, tag impressions and clicks, guide
    views and unique visitors. ``all`` as the election sums every election."""
    slug = None if election == "all" else get_election(election).slug
    return reach.reach_summary(session, start, end, slug, region)
