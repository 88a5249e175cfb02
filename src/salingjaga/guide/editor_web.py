"""The guide editor: the Election Guide Center's editorial workflow as pages.

Per election and content language, the list of guide pages with their published version and
any open draft; writing a draft in Markdown with a server-rendered, sanitised preview (the
guide's own ``render_markdown``); the review queue of other editors' drafts; version history
with rollback. Every rule (four eyes, one open draft per page, only the author edits, regional
scope) is the guide service's: these routes turn forms into its calls and show its messages.

The content language is part of the path (``/editor/pemilu-2024/en``) so that ``?lang=``
keeps choosing the interface language, as on every other page.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from salingjaga.auth.deps import get_session, require
from salingjaga.auth.models import User
from salingjaga.auth.principal import Principal
from salingjaga.core.errors import APIError, Invalid, NotFound, invalid_input
from salingjaga.core.routing import Router
from salingjaga.guide import service
from salingjaga.guide.caching import app_cache
from salingjaga.guide.editor_view import STATES, nearest_election, slots
from salingjaga.guide.markdown import render_markdown
from salingjaga.guide.models import PAGE_KINDS
from salingjaga.guide.schemas import DraftIn, DraftPatch, PageData
from salingjaga.regions.elections import Election, all_elections, get_election
from salingjaga.web.csrf import page_guard
from salingjaga.web.pages import render_app, request_language

router = Router(prefix="/editor", include_in_schema=False, dependencies=[Depends(page_guard)])

MAX_BODY = 50_000
MAX_TITLE = 300


def _lang(glang: str) -> str:
    if glang not in service.LANGS:
        raise NotFound(f"no guide language {glang!r}; use id or en", reason="guide.language_unknown",
                       params={"code": glang})
    return glang


def _kind(kind: str) -> str:
    if kind not in PAGE_KINDS:
        raise Invalid(f"kind must be one of {', '.join(PAGE_KINDS)}", reason="guide.kind_unknown")
    return kind


def _user_names(session: Session, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.name).where(User.id.in_(ids))).tuples().all())


def _nav(election: Election, glang: str | None) -> dict[str, Any]:
    """Shared context: which election and content language the editor is looking at."""
    return {"election": election, "glang": glang,
            "elections": sorted(all_elections().values(), key=lambda e: e.voting_day),
            "guide_langs": service.LANGS}


@router.get("", response_class=HTMLResponse)
def editor_home(
    request: Request,
    _: Principal = Depends(require("web.editor")),
) -> Response:
    """The guide of the election nearest today, in the interface language."""
    election = nearest_election()
    if election is None:
        raise NotFound("no elections are configured", reason="guide.no_elections")
    return RedirectResponse(f"/editor/{election.slug}/{request_language(request)}", status_code=303)


@router.get("/{election}/review", response_class=HTMLResponse)
def review_queue(
    request: Request,
    election: str,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("web.editor")),
) -> Response:
    """Open drafts of this election: other editors' (to approve or reject) and your own
    (waiting for someone else)."""
    e = get_election(election)
    drafts = [service.version_out(v, p) for v, p in service.list_versions(session, e.slug, status="draft")]
    others = [d for d in drafts if d["author_id"] != who.user_id]
    mine = [d for d in drafts if d["author_id"] == who.user_id]
    return render_app(request, "guide/editor_review.html", {
        **_nav(e, None), "others": others, "mine": mine,
        "names": _user_names(session, {d["author_id"] for d in drafts}),
        "done": request.query_params.get("done")})


@router.get("/{election}/{glang}", response_class=HTMLResponse)
def pages_list(
    request: Request,
    election: str,
    glang: str,
    state: str = "",
    session: Session = Depends(get_session),
    _: Principal = Depends(require("web.editor")),
) -> Response:
    """Every page of the guide in this language: its published version and any open draft;
    ``state`` lists only the pages in that state (``editor_view.STATES``)."""
    e = get_election(election)
    glang = _lang(glang)
    state = state if state in STATES else ""
    every = list(slots(session, e.slug, glang).values())
    order = {k: i for i, k in enumerate(("section", "region", "tag"))}
    known = {k: i for i, k in enumerate(service.SECTION_ORDER)}
    rows = sorted((s for s in every if not state or state in s["states"]),
                  key=lambda s: (order.get(s["kind"], 9), known.get(s["key"], 99), s["key"]))
    authors = {s["draft"]["author_id"] for s in rows if s["draft"]}
    return render_app(request, "guide/editor_pages.html", {
        **_nav(e, glang), "rows": rows, "names": _user_names(session, authors), "state": state,
        "states": STATES, "total": len(every),
        "section_keys": service.SECTION_ORDER, "tag_key": service.TAG_KEY,
        "public_url": service.guide_url(e.slug, glang), "done": request.query_params.get("done")})


def _current_of(session: Session, election: str, glang: str, kind: str, key: str
                ) -> dict[str, Any] | None:
    for v, p in service.list_versions(session, election, lang=glang, kind=kind, key=key):
        if p.current_version_id == v.id:
            return service.version_out(v, p)
    return None


def _draft_form(request: Request, e: Election, glang: str, values: dict[str, Any], *,
                preview: str | None = None, error: str | APIError = "", error_code: str = "",
                open_draft: str | None = None, status: int = 200) -> Response:
    return render_app(request, "guide/editor_draft.html", {
        **_nav(e, glang), "values": values, "kinds": PAGE_KINDS, "preview": preview,
        "error": error, "error_code": error_code, "open_draft": open_draft,
        "section_keys": service.SECTION_ORDER, "tag_key": service.TAG_KEY}, status=status)


@router.get("/{election}/{glang}/new", response_class=HTMLResponse)
def new_draft_page(
    request: Request,
    election: str,
    glang: str,
    kind: str = "section",
    key: str = "",
    session: Session = Depends(get_session),
    _: Principal = Depends(require("web.editor")),
) -> Response:
    """The draft form, starting from the page's published text when there is one."""
    e = get_election(election)
    glang = _lang(glang)
    kind = _kind(kind)
    key = key.strip()[:60] or (service.TAG_KEY if kind == "tag" else "")
    current = _current_of(session, e.slug, glang, kind, key) if key else None
    values = {"kind": kind, "key": key, "title": current["title"] if current else "",
              "body": current["body"] if current else "", "based_on": current["number"] if current else None}
    return _draft_form(request, e, glang, values)


@router.post("/{election}/{glang}/drafts", response_class=HTMLResponse)
def create_draft(
    request: Request,
    election: str,
    glang: str,
    kind: str = Form("section"),
    key: str = Form("", max_length=60),
    title: str = Form("", max_length=MAX_TITLE),
    body: str = Form("", max_length=MAX_BODY),
    op: str = Form("save"),
    session: Session = Depends(get_session),
    who: Principal = Depends(require("guide.edit")),
) -> Response:
    """Preview the Markdown (nothing saved) or save it as a new draft of the page. The
    structured parts of the published version (dates, candidates, link, position) carry over."""
    e = get_election(election)
    glang = _lang(glang)
    values: dict[str, Any] = {"kind": kind, "key": key.strip(), "title": title, "body": body}
    if op == "preview":
        return _draft_form(request, e, glang, values, preview=render_markdown(body))
    try:
        kind = _kind(kind)
        current = _current_of(session, e.slug, glang, kind, key.strip()) if key.strip() else None
        data = PageData.model_validate(current["data"]) if current else PageData()
        try:
            draft_in = DraftIn.model_validate({"lang": glang, "kind": kind, "key": key.strip(),
                                               "title": title.strip(), "body": body, "data": data})
        except ValidationError as exc:
            raise invalid_input(exc, "form") from exc
        version, _page = service.create_draft(session, who, e.slug, draft_in)
    except APIError as exc:
        session.rollback()
        details = exc.details if isinstance(exc.details, dict) else {}
        return _draft_form(request, e, glang, values, preview=render_markdown(body), error=exc,
                           error_code=exc.code, open_draft=details.get("draft_id"), status=exc.status)
    return RedirectResponse(f"/editor/{e.slug}/versions/{version.id}?done=draft_created", status_code=303)


def _version_ctx(session: Session, e: Election, version_id: str) -> dict[str, Any]:
    version, page = service.get_version(session, e.slug, version_id)
    out = service.version_out(version, page)
    ids = {out["author_id"]} | ({out["decided_by"]} if out["decided_by"] else set())
    return {**_nav(e, page.lang), "v": out, "names": _user_names(session, ids),
            "values": {"title": out["title"], "body": out["body"]}, "preview": None,
            "error": "", "error_code": ""}


def _version_page(request: Request, session: Session, e: Election, version_id: str,
                  status: int = 200, **extra: Any) -> Response:
    ctx = _version_ctx(session, e, version_id)
    ctx.update(extra)
    return render_app(request, "guide/editor_version.html", ctx, status=status)


@router.get("/{election}/versions/{version_id}", response_class=HTMLResponse)
def version_page(
    request: Request,
    election: str,
    version_id: str,
    session: Session = Depends(get_session),
    _: Principal = Depends(require("web.editor")),
) -> Response:
    """One version: its sanitised rendering and source, and what may be done with it."""
    e = get_election(election)
    return _version_page(request, session, e, version_id, done=request.query_params.get("done"))


@router.post("/{election}/versions/{version_id}", response_class=HTMLResponse)
def edit_draft(
    request: Request,
    election: str,
    version_id: str,
    title: str = Form("", max_length=MAX_TITLE),
    body: str = Form("", max_length=MAX_BODY),
    op: str = Form("save"),
    session: Session = Depends(get_session),
    who: Principal = Depends(require("guide.edit")),
) -> Response:
    """Preview the changed Markdown, or save it into your own draft."""
    e = get_election(election)
    values = {"title": title, "body": body}
    if op == "preview":
        return _version_page(request, session, e, version_id, values=values, preview=render_markdown(body))
    try:
        try:
            patch = DraftPatch(title=title.strip(), body=body)
        except ValidationError as exc:
            raise invalid_input(exc, "form") from exc
        service.update_draft(session, who, e.slug, version_id, patch)
    except APIError as exc:
        session.rollback()
        return _version_page(request, session, e, version_id, status=exc.status, values=values,
                             preview=render_markdown(body), error=exc, error_code=exc.code)
    return RedirectResponse(f"/editor/{e.slug}/versions/{version_id}?done=draft_saved", status_code=303)


def _decide(request: Request, session: Session, e: Election, version_id: str, done: str,
            act: Any, publishes: bool) -> Response:
    try:
        act()
    except APIError as exc:
        session.rollback()
        return _version_page(request, session, e, version_id, status=exc.status,
                             error=exc, error_code=exc.code)
    if publishes:
        session.commit()  # public before the cache forgets the old text
        app_cache(request.app).clear()
    return RedirectResponse(f"/editor/{e.slug}/versions/{version_id}?done={done}", status_code=303)


@router.post("/{election}/versions/{version_id}/approve", response_class=HTMLResponse)
def approve_draft(
    request: Request,
    election: str,
    version_id: str,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("guide.approve")),
) -> Response:
    """Approve another editor's draft: it becomes the page's public version."""
    e = get_election(election)
    return _decide(request, session, e, version_id, "published",
                   lambda: service.approve(session, who, e.slug, version_id), publishes=True)


@router.post("/{election}/versions/{version_id}/reject", response_class=HTMLResponse)
def reject_draft(
    request: Request,
    election: str,
    version_id: str,
    reason: str = Form("", max_length=2000),
    session: Session = Depends(get_session),
    who: Principal = Depends(require("guide.approve")),
) -> Response:
    """Reject a draft with the reason (or withdraw your own)."""
    e = get_election(election)
    return _decide(request, session, e, version_id, "rejected",
                   lambda: service.reject(session, who, e.slug, version_id, reason.strip()), publishes=False)


@router.post("/{election}/versions/{version_id}/rollback", response_class=HTMLResponse)
def rollback_version(
    request: Request,
    election: str,
    version_id: str,
    reason: str = Form("", max_length=2000),
    session: Session = Depends(get_session),
    who: Principal = Depends(require("guide.approve")),
) -> Response:
    """Make this earlier published version the page's current one again."""
    e = get_election(election)
    return _decide(request, session, e, version_id, "rolled_back",
                   lambda: service.rollback(session, who, e.slug, version_id, reason.strip()), publishes=True)


@router.get("/{election}/{glang}/pages/{kind}/{key}", response_class=HTMLResponse)
def page_history(
    request: Request,
    election: str,
    glang: str,
    kind: str,
    key: str,
    session: Session = Depends(get_session),
    _: Principal = Depends(require("web.editor")),
) -> Response:
    """Every version of one page, newest first, with rollback to an earlier published one."""
    e = get_election(election)
    glang = _lang(glang)
    if kind not in PAGE_KINDS:
        raise NotFound(f"no guide page kind {kind!r}", reason="guide.kind_unknown")
    versions = [service.version_out(v, p)
                for v, p in service.list_versions(session, e.slug, lang=glang, kind=kind, key=key)]
    if not versions:
        raise NotFound(f"no guide page {kind}/{key} in {e.slug} ({glang})", reason="guide.page_unknown",
                       params={"ref": key})
    ids = {v["author_id"] for v in versions} | {v["decided_by"] for v in versions if v["decided_by"]}
    return render_app(request, "guide/editor_history.html", {
        **_nav(e, glang), "kind": kind, "key": key, "versions": versions,
        "has_draft": any(v["status"] == "draft" for v in versions),
        "names": _user_names(session, ids)})
