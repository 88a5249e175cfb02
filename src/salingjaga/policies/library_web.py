"""The policy library's pages: the public index and one page per policy (in the visitor's
language), the policy lead's editor that saves a new version as a draft, and the list of
drafts another policy lead approves or rejects."""

from __future__ import annotations

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from salingjaga.auth.deps import get_session, public, require
from salingjaga.auth.principal import Principal
from salingjaga.core.errors import APIError
from salingjaga.core.routing import Router
from salingjaga.policies.library import create_draft as create_library_draft
from salingjaga.policies.library import decide, drafts, library_page
from salingjaga.policies.models import LIBRARY_SECTIONS
from salingjaga.policies.service import all_policies, get_policy
from salingjaga.web.csrf import page_guard
from salingjaga.web.pages import render, render_app, request_language

router = Router(include_in_schema=False, dependencies=[Depends(page_guard)])


@router.get("/policies/library", response_class=HTMLResponse, dependencies=[Depends(public)])
def library_index(request: Request) -> Response:
    """Every policy, with what it covers."""
    return render(request, "policies/library_index.html", {"policies": list(all_policies().values())})


@router.get("/policies/library/{code}", response_class=HTMLResponse, dependencies=[Depends(public)])
def library_policy(request: Request, code: str, session: Session = Depends(get_session)) -> Response:
    """One policy's page in the visitor's language."""
    get_policy(code)
    page = library_page(session, code, request_language(request))
    return render(request, "policies/library_page.html", {"page": page, "done": request.query_params.get("done")})


def _editor(request: Request, session: Session, code: str, language: str, sections: dict[str, str] | None = None,
            error: str | APIError = "", status: int = 200) -> Response:
    page = library_page(session, code, language)
    return render_app(request, "policies/library_edit.html", {
        "page": page, "language": language, "sections": sections or page.sections, "names": LIBRARY_SECTIONS,
        "error": error}, status=status)


@router.get("/policies/library/{code}/edit", response_class=HTMLResponse)
def library_edit(
    request: Request, code: str, language: str = "id", session: Session = Depends(get_session),
    _: Principal = Depends(require("policies.library.edit")),
) -> Response:
    """The editor, filled with the current text of the page in ``language``."""
    get_policy(code)
    return _editor(request, session, code, language if language in ("id", "en") else "id")


@router.post("/policies/library/{code}/edit", response_class=HTMLResponse)
def library_save(
    request: Request, code: str,
    language: str = Form("id"), covers: str = Form("", max_length=4000), breaks: str = Form("", max_length=4000),
    allowed: str = Form("", max_length=4000), good_notice: str = Form("", max_length=4000),
    note: str = Form("", max_length=500),
    session: Session = Depends(get_session), who: Principal = Depends(require("policies.library.edit")),
) -> Response:
    """Save a new version as a draft for another policy lead to approve."""
    sections = {"covers": covers, "breaks": breaks, "allowed": allowed, "good_notice": good_notice}
    try:
        create_library_draft(session, code, language, sections, note, who)
    except APIError as exc:
        session.rollback()
        return _editor(request, session, code, language if language in ("id", "en") else "id", sections,
                       exc, exc.status)
    return RedirectResponse("/admin/policy-library?done=draft_created", status_code=303)


@router.get("/admin/policy-library", response_class=HTMLResponse)
def library_drafts(
    request: Request, session: Session = Depends(get_session),
    who: Principal = Depends(require("policies.library.approve")),
) -> Response:
    """Drafts waiting for a second policy lead."""
    return render_app(request, "policies/library_drafts.html", {
        "drafts": drafts(session), "me": who.user_id, "policies": all_policies(), "names": LIBRARY_SECTIONS,
        "done": request.query_params.get("done"), "error": request.query_params.get("error")})


@router.post("/admin/policy-library/{version_id}", response_class=HTMLResponse)
def library_decide(
    request: Request, version_id: str, decision: str = Form(...),
    session: Session = Depends(get_session), who: Principal = Depends(require("policies.library.approve")),
) -> Response:
    """Approve (publish) or reject a draft; never one's own."""
    try:
        version = decide(session, version_id, decision == "approve", who)
    except APIError as exc:
        session.rollback()
        return render_app(request, "policies/library_drafts.html", {
            "drafts": drafts(session), "me": who.user_id, "policies": all_policies(), "names": LIBRARY_SECTIONS,
            "done": None, "error": exc}, status=exc.status)
    if version.status == "published":
        return RedirectResponse(f"/policies/library/{version.policy}?lang={version.language}&done=published",
                                status_code=303)
    return RedirectResponse("/admin/policy-library?done=rejected", status_code=303)
