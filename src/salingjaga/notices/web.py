"""The partner portal: file a notice (with evidence), bulk upload with a per-row result,
follow notices and their outcomes, download their evidence, appeal a 'no action', and the
organisation's feedback.

Every rule (jurisdiction, priority, idempotency, evidence checks) is the notices, partners
and moderation services'; these routes only turn forms into their calls. The admin pages
of partner organisations are ``partners.web``.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from fastapi import Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from salingjaga.auth.deps import get_session, get_settings, require
from salingjaga.auth.principal import Principal
from salingjaga.content.media import verified_stored_file
from salingjaga.core.errors import APIError, Invalid, NotFound
from salingjaga.core.inputlimits import text_bool
from salingjaga.core.routing import Router
from salingjaga.core.settings import Settings
from salingjaga.moderation.previews import picture_file, thumbnails
from salingjaga.moderation.service import create_appeal
from salingjaga.notices.bulk import parse_bulk, submit_bulk
from salingjaga.notices.feedback import partner_feedback
from salingjaga.notices.forms import evidence_from_uploads, notice_from_form
from salingjaga.notices.intake import NoticeIntake
from salingjaga.notices.models import Notice
from salingjaga.notices.portal_view import (
    LIST_LIMIT,
    STATUSES,
    notice_items,
    shown_count,
    shown_notices,
    shown_statuses,
    summary,
    under_second_review,
)
from salingjaga.notices.service import (
    NoticeJob,
    get_visible_notice,
    notice_out,
)
from salingjaga.partners.service import get_partner, list_partners, visible_partner_ids
from salingjaga.partners.web import region_choices
from salingjaga.policies.service import all_policies
from salingjaga.regions.elections import all_elections
from salingjaga.web.csrf import page_guard
from salingjaga.web.files import picture_response, upload_response
from salingjaga.web.pages import render_app
from salingjaga.web.paging import pager

router = Router(prefix="/portal", include_in_schema=False, dependencies=[Depends(page_guard)])

def _partner_names(session: Session) -> dict[str, str]:
    return {p.id: p.name for p in list_partners(session)}


def _shown_notice(session: Session, notice: Notice) -> dict[str, Any]:
    """A notice as its notifier sees it: a decision under second review is not shown yet."""
    out = notice_out(session, notice)
    if notice.decision_id and under_second_review(session, [notice.decision_id]):
        out["status"] = "in_review"
        out.pop("decision", None)
        out["second_review"] = True
    return out


@router.get("", response_class=HTMLResponse)
def notices_page(
    request: Request,
    status: str = "",
    session: Session = Depends(get_session),
    settings: Settings = Depends(get_settings),
    who: Principal = Depends(require("web.portal")),
) -> Response:
    """The notices this organisation (and its sub-jurisdictions) filed, newest first, by the
    status the partner sees, a page at a time; each names its content by caption and
    picture."""
    status = status if status in STATUSES else ""
    page = pager("/portal", request.query_params, shown_count(session, who, status), LIST_LIMIT)
    notices = shown_notices(session, who, status, page.size, page.offset)
    items = notice_items(session, notices)
    return render_app(request, "notices/portal_notices.html", {
        "notices": notices, "status": status, "statuses": STATUSES, "pager": page,
        "shown_status": shown_statuses(session, notices), "summary": summary(session, who),
        "items": items, "thumbs": thumbnails(settings.data_dir, list(items.values())),
        "partner_names": _partner_names(session), "policies": all_policies(),
        "done": request.query_params.get("done"),
    })


def _form_ctx(values: dict[str, Any] | None = None, error: str | APIError = "") -> dict[str, Any]:
    return {
        "policies": all_policies(), "regions": region_choices(), "elections": all_elections(),
        "values": values or {"good_faith": False},
        # A fresh key per rendered form: submitting twice (double click, retry) files one notice.
        "idempotency_key": (values or {}).get("idempotency_key") or "web-" + secrets.token_hex(12),
        "error": error,
    }


@router.get("/new", response_class=HTMLResponse)
def new_notice_page(
    request: Request,
    _: Principal = Depends(require("web.portal")),
) -> Response:
    """The notice form (DSA Art. 16 fields)."""
    return render_app(request, "notices/portal_new.html", _form_ctx())


def _content_refs(text: str) -> list[dict[str, str]]:
    refs = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        refs.append({"url": line} if line.startswith(("http://", "https://")) else {"content_id": line})
    return refs


@router.post("/notices", response_class=HTMLResponse)
async def file_notice(
    request: Request,
    content: str = Form("", max_length=20000),
    policy: str = Form(""),
    legal_ground: str = Form("", max_length=500),
    explanation: str = Form("", max_length=10000),
    region: str = Form(""),
    election: str = Form(""),
    contact: str = Form("", max_length=320),
    good_faith: str = Form("", max_length=20),
    idempotency_key: str = Form("", max_length=200),
    evidence: list[UploadFile] = File(default=[]),
    who: Principal = Depends(require("web.portal")),
) -> Response:
    """File one notice through the server's intake writer, as the API does: the notice and
    its evidence files are committed together before the receipt page is shown.

    No request session: on SQLite a request holding the write lock while it waits for the
    writer would wait for itself."""
    values = {"content": content, "policy": policy, "legal_ground": legal_ground,
              "explanation": explanation, "region": region, "election": election,
              "contact": contact, "good_faith": False, "idempotency_key": idempotency_key}
    try:
        # The checkbox sends "true"; an unticked box sends nothing. Other words are refused,
        # never read as a declaration (``inputlimits.text_bool``).
        declared = bool(good_faith) and text_bool(good_faith, "good_faith")
        values["good_faith"] = declared
        body = notice_from_form({
            "content": _content_refs(content), "policy": policy,
            "legal_ground": legal_ground.strip() or None, "explanation": explanation,
            "region": region or None, "election": election or None,
            "contact": contact.strip() or None, "good_faith": declared,
            "evidence": await evidence_from_uploads(evidence),
        })
        intake: NoticeIntake = request.app.state.notice_intake
        answer, _ = await intake.submit(NoticeJob(body, who, idempotency_key or None))
    except APIError as exc:
        return render_app(request, "notices/portal_new.html", _form_ctx(values, exc), status=exc.status)
    return RedirectResponse(f"/portal/notices/{answer['id']}?done=notice_filed", status_code=303)


@router.get("/notices/{notice_id}", response_class=HTMLResponse)
def notice_page(
    request: Request,
    notice_id: str,
    session: Session = Depends(get_session),
    settings: Settings = Depends(get_settings),
    who: Principal = Depends(require("web.portal")),
) -> Response:
    """One notice: receipt, status, evidence and, once decided, the outcome and reasons."""
    notice = get_visible_notice(session, who, notice_id)
    return render_app(request, "notices/portal_notice.html",
                      _notice_ctx(session, settings, notice, done=request.query_params.get("done")))


def _notice_ctx(session: Session, settings: Settings, notice: Notice, *, done: str | None = None,
                error: APIError | str = "") -> dict[str, Any]:
    """The notice page's context: the notice as its notifier sees it and its content."""
    item = notice_items(session, [notice]).get(notice.id)
    return {"n": _shown_notice(session, notice), "partner_names": _partner_names(session),
            "policies": all_policies(), "done": done, "error": error, "item": item,
            "picture": bool(item and thumbnails(settings.data_dir, [item]))}


def evidence_location(data_dir: Path, sha256: str) -> Path | None:
    """Where an evidence file with this SHA-256 lives in the evidence store, or None
    (checked as ``content.media.verified_stored_file`` checks: inside the store, unchanged)."""
    return verified_stored_file(data_dir, "evidence", sha256)


@router.get("/notices/{notice_id}/picture")
def notice_picture(
    notice_id: str,
    session: Session = Depends(get_session),
    settings: Settings = Depends(get_settings),
    who: Principal = Depends(require("web.portal")),
) -> Response:
    """The thumbnail of the content a notice the caller may see is about (404 otherwise):
    an image's, or a video's first keyframe; always a small JPEG."""
    notice = get_visible_notice(session, who, notice_id)
    item = notice_items(session, [notice]).get(notice.id)
    thumb = thumbnails(settings.data_dir, [item]).get(item.id) if item else None
    target = picture_file(settings.data_dir, item, thumb.media_index, thumb.frame) if item and thumb else None
    if target is None:
        raise NotFound("the content has no picture", reason="media.unavailable")
    return picture_response(target)


@router.get("/notices/{notice_id}/evidence/{evidence_id}")
def evidence_file(
    notice_id: str,
    evidence_id: str,
    session: Session = Depends(get_session),
    settings: Settings = Depends(get_settings),
    who: Principal = Depends(require("web.portal")),
) -> Response:
    """Download one evidence file of a notice the caller may see (404 otherwise), as an
    attachment of its stored (sniffed) type, never rendered by the browser."""
    notice = get_visible_notice(session, who, notice_id)
    entry = next((e for e in notice_out(session, notice)["evidence"] if e["id"] == evidence_id), None)
    target = evidence_location(settings.data_dir, str(entry["sha256"])) if entry else None
    if entry is None or target is None:
        raise NotFound(f"evidence {evidence_id} not found", reason="evidence.unknown", params={"ref": evidence_id})
    return upload_response(target, str(entry["mime"]), str(entry["filename"] or entry["id"]))


@router.post("/notices/{notice_id}/appeal", response_class=HTMLResponse)
def appeal_notice(
    request: Request,
    notice_id: str,
    reason: str = Form(..., min_length=1, max_length=5000),
    session: Session = Depends(get_session),
    settings: Settings = Depends(get_settings),
    who: Principal = Depends(require("web.portal")),
) -> Response:
    """A notifier appeals a decision that did nothing about the reported content."""
    notice = get_visible_notice(session, who, notice_id)
    try:
        if not notice.decision_id:
            raise Invalid("the notice has no decision yet", reason="appeal.no_decision")
        create_appeal(session, notice.decision_id, who, reason)
    except APIError as exc:
        session.rollback()
        return render_app(request, "notices/portal_notice.html",
                          _notice_ctx(session, settings, notice, error=exc), status=exc.status)
    return RedirectResponse(f"/portal/notices/{notice_id}", status_code=303)


@router.get("/bulk", response_class=HTMLResponse)
def bulk_page(
    request: Request,
    _: Principal = Depends(require("web.portal")),
) -> Response:
    """Bulk upload form (CSV or JSON)."""
    return render_app(request, "notices/portal_bulk.html", {"outcome": None, "error": ""})


@router.post("/bulk", response_class=HTMLResponse)
async def bulk_submit(
    request: Request,
    file: UploadFile = File(...),
    who: Principal = Depends(require("web.portal")),
) -> Response:
    """Submit every row; each row succeeds or fails on its own and the table says which.

    The rows go through the intake writer as the API's do (``notices.bulk``); no request
    session, for the reason ``file_notice`` gives."""
    raw = await file.read()
    try:
        name = (file.filename or "").lower()
        head = raw[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
        as_json = name.endswith(".json") or head.startswith((b"[", b"{"))
        rows = parse_bulk(raw, csv_input=not as_json)
        if not rows:
            raise Invalid("the file holds no rows", reason="bulk.no_rows")
        intake: NoticeIntake = request.app.state.notice_intake
        outcome = (await submit_bulk(intake, rows, who)).summary()
    except APIError as exc:
        return render_app(request, "notices/portal_bulk.html", {"outcome": None, "error": exc},
                          status=exc.status)
    return render_app(request, "notices/portal_bulk.html", {"outcome": outcome, "error": ""})


@router.get("/feedback", response_class=HTMLResponse)
def feedback_page(
    request: Request,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("web.portal")),
) -> Response:
    """How the organisation's notices fared, and those of each sub-jurisdiction it oversees."""
    if who.partner_id is None:  # partner roles always belong to one; defensive
        raise Invalid("your account is not linked to a partner organisation", reason="user.no_partner")
    own = get_partner(session, who.partner_id)
    partners = sorted((get_partner(session, pid) for pid in visible_partner_ids(session, who.partner_id)),
                      key=lambda p: (p.id != own.id, p.name))
    rows = [{"partner": p, "feedback": partner_feedback(session, p.id)} for p in partners]
    return render_app(request, "notices/portal_feedback.html", {
        "own": own, "rows": rows, "policies": all_policies()})
