"""The moderator console: the queue with deadlines, claim next, the case page (content,
media, transcript, notices, signals with explanations, the account's history and GPPPA
status, the election period), the decision form with a statement-of-reasons preview,
escalate / hold / release, and the appeal view.

Every change and the queue listing (in moderation's claim order) go through
``moderation.service``; the one read that service does not offer (an account's past
decisions) is a plain SELECT kept in this module.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from fastapi import Depends, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from salingjaga.auth.deps import get_database, get_session, get_settings, require
from salingjaga.auth.principal import Principal
from salingjaga.content.media import verified_stored_file
from salingjaga.content.models import Account, ContentItem
from salingjaga.content.service import get_content
from salingjaga.core.db import Database
from salingjaga.core.errors import APIError, Invalid, NotFound
from salingjaga.core.routing import Router
from salingjaga.core.settings import Settings
from salingjaga.core.timeutil import WIB, utcnow
from salingjaga.factcheck.service import create_referral
from salingjaga.moderation import actions as A
from salingjaga.moderation import referrals_web
from salingjaga.moderation.events import evidence_of_notices
from salingjaga.moderation.models import Appeal, Case, Decision
from salingjaga.moderation.previews import keyframes, picture_file, thumbnails
from salingjaga.moderation.queue_view import (
    DUE_CHOICES,
    QUEUE_PAGE,
    QUEUES,
    choices,
    filters_of,
    queue_count,
    queue_overdue,
    queue_rows,
    tab_counts,
)
from salingjaga.moderation.service import (
    case_notices,
    case_signals,
    claim_committed,
    decide,
    escalate_case,
    get_case,
    get_decision,
    hold_case,
    preview_statement,
    release,
    unhold_case,
)
from salingjaga.partners.service import list_partners
from salingjaga.policies.service import all_policies
from salingjaga.regions.elections import all_elections
from salingjaga.web.csrf import page_guard
from salingjaga.web.files import picture_response, upload_response
from salingjaga.web.pages import render_app
from salingjaga.web.paging import pager

router = Router(prefix="/console", include_in_schema=False, dependencies=[Depends(page_guard)])
# Included side by side (see ``app.create_app``): the queues and cases, and the referrals tab.
routers = (router, referrals_web.router)

PREVIEW_TYPES = ("image/", "video/")


def _queue(request: Request, session: Session, settings: Settings, who: Principal, kind: str) -> Response:
    """One queue tab: a page of its rows after the filters; the tab figures and the total
    are counted by the same query over all the pages."""
    now = utcnow()
    filters = filters_of(request.query_params)
    path = dict(QUEUES)[kind]
    page = pager(path, request.query_params, queue_count(session, who, kind, filters, now), QUEUE_PAGE)
    rows = queue_rows(session, who, kind, filters, now, page.size, page.offset)
    return render_app(request, "moderation/console_queue.html", {
        "rows": rows, **tab_counts(session, who), "due_choices": DUE_CHOICES, "pager": page,
        "thumbs": thumbnails(settings.data_dir, [i for _, i in rows]),
        "overdue": queue_overdue(session, who, kind, filters, now), "now": now,
        "policies": all_policies(), "kind": kind, "done": request.query_params.get("done"),
        **choices(session, who, kind), "filters": filters,
    })


@router.get("", response_class=HTMLResponse)
def queue_page(
    request: Request,
    session: Session = Depends(get_session),
    settings: Settings = Depends(get_settings),
    who: Principal = Depends(require("web.console")),
) -> Response:
    """The first-review queue with deadlines; overdue cases stand out."""
    return _queue(request, session, settings, who, "review")


@router.get("/second-review", response_class=HTMLResponse)
def second_review_page(
    request: Request,
    session: Session = Depends(get_session),
    settings: Settings = Depends(get_settings),
    who: Principal = Depends(require("web.console")),
) -> Response:
    """Decisions waiting for a second look (the rules of ``second_review.toml``)."""
    return _queue(request, session, settings, who, "second_review")


@router.get("/appeals", response_class=HTMLResponse)
def appeals_page(
    request: Request,
    session: Session = Depends(get_session),
    settings: Settings = Depends(get_settings),
    who: Principal = Depends(require("web.console")),
) -> Response:
    """Open appeals."""
    return _queue(request, session, settings, who, "appeal")


@router.post("/claim")
def claim(
    db: Database = Depends(get_database),
    settings: Settings = Depends(get_settings),
    who: Principal = Depends(require("web.console")),
) -> Response:
    """Lease the most urgent case this role may take and open it (committed as the API's
    claim is: ``claim_committed``)."""
    case = claim_committed(db, who, settings)
    if case is None:
        return RedirectResponse("/console?done=queue_empty", status_code=303)
    return RedirectResponse(f"/console/cases/{case.id}?done=claimed", status_code=303)


def _account_history(session: Session, account_id: str | None, exclude_case: str) -> list[Decision]:
    if not account_id:
        return []
    return list(session.scalars(
        select(Decision).where(Decision.account_id == account_id)
        .where((Decision.case_id.is_(None)) | (Decision.case_id != exclude_case))
        .order_by(Decision.decided_at.desc()).limit(20)))


def _election_context(item: ContentItem) -> list[dict[str, Any]]:
    today = utcnow().astimezone(WIB).date()
    out = []
    for election in all_elections().values():
        if item.election and election.slug != item.election:
            continue
        if not election.in_scope(item.region_code):
            continue
        periods = election.active_periods(today, item.region_code)
        days = (election.voting_day - today).days if isinstance(election.voting_day, date) else None
        out.append({"election": election, "periods": periods, "days_to_vote": days,
                    "named": item.election == election.slug})
    return out


def _case_ctx(session: Session, settings: Settings, who: Principal, case: Case) -> dict[str, Any]:
    item = get_content(session, case.content_id)
    account = session.get(Account, item.account_id)
    appeal = session.get(Appeal, case.appeal_id) if case.appeal_id else None
    earlier_id = appeal.decision_id if appeal else case.review_of_decision_id
    original = get_decision(session, earlier_id) if earlier_id else None
    notices = case_notices(session, case.id)
    mine = case.status == "leased" and case.lease_owner == who.user_id
    partners = list_partners(session)
    return {
        "case": case, "item": item, "account": account, "appeal": appeal, "original": original,
        "notices": notices, "evidence": evidence_of_notices(session, [n.id for n in notices]),
        "signals": case_signals(session, item.id), "keyframes": keyframes(settings.data_dir, item),
        "history": _account_history(session, item.account_id, case.id),
        "elections": _election_context(item), "mine": mine, "now": utcnow(),
        "policies": all_policies(), "partner_names": {p.id: p.name for p in partners},
        "fact_checkers": [p for p in partners if p.kind == "fact_checker" and p.active],
        "content_actions": A.CONTENT_ACTIONS, "account_actions": A.ACCOUNT_ACTIONS,
        "appeal_actions": (*A.APPEAL_OUTCOMES, *[a for a in A.CONTENT_ACTIONS if a != A.NO_VIOLATION]),
        "preview": None, "values": {"policy": case.policy}, "error": "",
    }


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request,
    case_id: str,
    session: Session = Depends(get_session),
    settings: Settings = Depends(get_settings),
    who: Principal = Depends(require("web.console")),
) -> Response:
    """Everything needed to decide one case, on one page."""
    ctx = _case_ctx(session, settings, who, get_case(session, case_id))
    return render_app(request, "moderation/console_case.html", {**ctx, "done": request.query_params.get("done")})


def statement_preview(session: Session, case: Case, *, action: str, policy: str, facts: str,
                      legal_ground: str | None) -> dict[str, Any]:
    """The preview's state for the template: the moderation domain builds and checks the
    statement the decision would write (nothing is stored)."""
    if not action:
        return {"state": "choose"}
    try:
        preview = preview_statement(session, case, action=action, policy=policy, facts=facts,
                                    legal_ground=legal_ground)
    except APIError as exc:
        return {"state": "error", "errors": [exc]}
    if preview is None:
        return {"state": "none"}
    data, errors = preview
    return {"state": "ok", "data": data, "errors": errors}


@router.get("/cases/{case_id}/preview", response_class=HTMLResponse)
def preview_page(
    request: Request,
    case_id: str,
    action: str = "",
    policy: str = "",
    facts: str = "",
    legal_ground: str = "",
    session: Session = Depends(get_session),
    _: Principal = Depends(require("web.console")),
) -> Response:
    """The statement preview fragment the decision form swaps in as choices change."""
    case = get_case(session, case_id)
    preview = statement_preview(session, case, action=action, policy=policy, facts=facts[:5000],
                                legal_ground=legal_ground[:500] or None)
    return render_app(request, "moderation/console_preview.html", {"preview": preview})


@router.post("/cases/{case_id}/decide", response_class=HTMLResponse)
def decide_case(
    request: Request,
    case_id: str,
    action: str = Form(""),
    policy: str = Form(""),
    facts: str = Form("", max_length=10000),
    legal_ground: str = Form("", max_length=500),
    account_action: str = Form(""),
    feature: str = Form("", max_length=60),
    suspend_days: int | None = Form(None, ge=1, le=3650),
    session: Session = Depends(get_session),
    settings: Settings = Depends(get_settings),
    who: Principal = Depends(require("web.console")),
) -> Response:
    """Record the decision (the service applies it, writes the statement and notifies)."""
    case = get_case(session, case_id)
    try:
        if not action:
            raise Invalid("choose an action", reason="decision.action_missing")
        decide(session, case_id, who, action=action, policy=policy, facts=facts,
               legal_ground=legal_ground.strip() or None, account_action=account_action or None,
               feature=feature.strip() or None, suspend_days=suspend_days)
    except APIError as exc:
        session.rollback()
        ctx = _case_ctx(session, settings, who, get_case(session, case_id))
        ctx.update(values={"action": action, "policy": policy, "facts": facts, "legal_ground": legal_ground,
                           "account_action": account_action}, error=exc,
                   preview=statement_preview(session, case, action=action, policy=policy, facts=facts,
                                             legal_ground=legal_ground or None))
        return render_app(request, "moderation/console_case.html", ctx, status=exc.status)
    session.commit()
    target = "/console/appeals?done=appeal_decided" if case.kind == "appeal" else "/console?done=decided"
    return RedirectResponse(target, status_code=303)


@router.post("/cases/{case_id}/escalate")
def escalate(
    case_id: str,
    note: str = Form("", max_length=2000),
    session: Session = Depends(get_session),
    who: Principal = Depends(require("web.console")),
) -> Response:
    """Send the case up one level."""
    escalate_case(session, case_id, who, note)
    return RedirectResponse("/console?done=escalated", status_code=303)


@router.post("/cases/{case_id}/hold")
def hold(
    case_id: str,
    reason: str = Form("", max_length=500),
    session: Session = Depends(get_session),
    who: Principal = Depends(require("web.console")),
) -> Response:
    """Put the case on hold (e.g. waiting for a fact-check)."""
    hold_case(session, case_id, who, reason)
    return RedirectResponse("/console?done=held", status_code=303)


@router.post("/cases/{case_id}/release")
def release_case(
    case_id: str,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("web.console")),
) -> Response:
    """Give the case back to the queue, or bring a held case back into it."""
    case = get_case(session, case_id)
    if case.status == "on_hold":
        unhold_case(session, case_id, who)
    else:
        release(session, case_id, who)
    return RedirectResponse("/console?done=released", status_code=303)


@router.post("/cases/{case_id}/refer")
def refer(
    case_id: str,
    partner_id: str = Form(...),
    note: str = Form("", max_length=2000),
    session: Session = Depends(get_session),
    who: Principal = Depends(require("web.console")),
) -> Response:
    """Send the case's claim to a fact-checking partner (the case stays where it is; hold
    it to wait for the verdict)."""
    case = get_case(session, case_id)
    create_referral(session, content_id=case.content_id, partner_id=partner_id, note=note, actor=who)
    return RedirectResponse(f"/console/cases/{case_id}?done=referred", status_code=303)


@router.get("/media/{content_id}/{index}")
def media_file(
    content_id: str,
    index: int,
    session: Session = Depends(get_session),
    settings: Settings = Depends(get_settings),
    _: Principal = Depends(require("content.read")),
) -> Response:
    """A stored image or video of a content item, for the preview; only sniffed image and
    video types are served, never as HTML, from inside the data folder."""
    item = get_content(session, content_id)
    media = list(item.media or [])
    if index < 0 or index >= len(media):
        raise NotFound("no such media", reason="media.unavailable")
    entry = media[index]
    mime = str(entry.get("mime") or "")
    rel = entry.get("path")
    if not rel or not mime.startswith(PREVIEW_TYPES):
        raise NotFound("no stored preview for this media", reason="media.unavailable")
    root = Path(settings.data_dir).resolve()
    target = (root / str(rel)).resolve()
    if root not in target.parents or not target.is_file():
        raise NotFound("no such media", reason="media.unavailable")
    return FileResponse(target, media_type=mime, headers={
        "Cache-Control": "private, max-age=300", "Content-Disposition": "inline",
        "X-Content-Type-Options": "nosniff"})


@router.get("/pictures/{content_id}/{media_index}/{frame}")
def picture(
    content_id: str,
    media_index: int,
    frame: int,
    session: Session = Depends(get_session),
    settings: Settings = Depends(get_settings),
    _: Principal = Depends(require("content.read")),
) -> Response:
    """A small picture of a content item: an image's thumbnail or a video's keyframe, made
    by detection from the stored file (``moderation.previews``); always a JPEG."""
    target = picture_file(settings.data_dir, get_content(session, content_id), media_index, frame)
    if target is None:
        raise NotFound("no such picture", reason="media.unavailable")
    return picture_response(target)


INLINE_EVIDENCE = ("image/png", "image/jpeg", "image/webp", "image/gif")


@router.get("/notices/{notice_id}/evidence/{evidence_id}")
def evidence_file(
    notice_id: str,
    evidence_id: str,
    view: int = 0,
    session: Session = Depends(get_session),
    settings: Settings = Depends(get_settings),
    _: Principal = Depends(require("web.console")),
) -> Response:
    """A notice's evidence file for the moderator: a download, or (``?view=1``) an image
    shown inline on the case page. Only a file still matching its recorded hash is served,
    with its stored type and never as HTML."""
    files = evidence_of_notices(session, [notice_id]).get(notice_id, [])
    entry = next((e for e in files if e["id"] == evidence_id), None)
    target = verified_stored_file(Path(settings.data_dir), "evidence", str(entry["sha256"])) if entry else None
    if entry is None or target is None:
        raise NotFound(f"evidence {evidence_id} not found", reason="evidence.unknown", params={"ref": evidence_id})
    return upload_response(target, str(entry["mime"]), str(entry["filename"] or entry["id"]),
                           inline=bool(view) and entry["mime"] in INLINE_EVIDENCE)
