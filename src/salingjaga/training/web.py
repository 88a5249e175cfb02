"""The practice sandbox's pages: the trainee's modules and progress, each module's post
with the same notice form as the portal, the graded feedback, the printable certificate,
and the administrators' completion chart per province."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from salingjaga.auth.deps import get_session, require
from salingjaga.auth.models import User
from salingjaga.auth.principal import Principal
from salingjaga.auth.roles import PARTNER_ROLES
from salingjaga.core.errors import APIError, NotFound
from salingjaga.core.inputlimits import text_bool
from salingjaga.core.routing import Router
from salingjaga.notices.forms import evidence_from_uploads, notice_from_form
from salingjaga.notices.schemas import NoticeIn
from salingjaga.partners.models import Partner
from salingjaga.policies.service import all_policies
from salingjaga.regions.service import all_regions
from salingjaga.training.scenarios import NO_VIOLATION, all_scenarios, get_scenario
from salingjaga.training.service import (
    attempt_of,
    file_practice,
    office_trainees,
    progress,
    staff_completion,
    tally,
)
from salingjaga.web.csrf import page_guard
from salingjaga.web.pages import render_app

router = Router(include_in_schema=False, dependencies=[Depends(page_guard)])


@router.get("/training", response_class=HTMLResponse)
def training_home(
    request: Request,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("training.practice")),
) -> Response:
    """The trainee's modules, how far they are, and the certificate once complete."""
    return render_app(request, "training/home.html", {"progress": progress(session, who.user_id)})


def _module_page(request: Request, module_id: str, values: dict[str, Any] | None = None, error: str | APIError = "",
                 status: int = 200) -> Response:
    return render_app(request, "training/module.html", {
        "s": get_scenario(module_id), "policies": all_policies(), "values": values or {}, "error": error,
        "region_names": {c: r.name for c, r in all_regions().items()}}, status=status)


@router.get("/training/modules/{module_id}", response_class=HTMLResponse)
def module_page(
    request: Request,
    module_id: str,
    _: Principal = Depends(require("training.practice")),
) -> Response:
    """A module: the lesson, the post, and the notice form."""
    return _module_page(request, module_id)


@router.post("/training/modules/{module_id}", response_class=HTMLResponse)
async def module_submit(
    request: Request,
    module_id: str,
    policy: str = Form(""),
    legal_ground: str = Form("", max_length=500),
    explanation: str = Form("", max_length=10000),
    good_faith: str = Form("", max_length=20),
    no_violation: str = Form("", max_length=20),
    evidence: list[UploadFile] = File(default=[]),
    who: Principal = Depends(require("training.practice")),
) -> Response:
    """File a practice notice (or judge that the post needs none) and see its grade."""
    scenario = get_scenario(module_id)
    values = {"policy": policy, "legal_ground": legal_ground, "explanation": explanation}
    try:
        declined = bool(no_violation)
        declared = declined or (bool(good_faith) and text_bool(good_faith, "good_faith"))
        attached = await evidence_from_uploads(evidence)
        body = notice_from_form({
            "content": [{"url": scenario.url}], "policy": NO_VIOLATION if declined else (policy or "-"),
            "legal_ground": None if declined else (legal_ground.strip() or None),
            "explanation": "" if declined else explanation, "region": scenario.region,
            "election": scenario.election, "good_faith": declared, "evidence": [] if declined else attached})
        attempt_id = await run_in_threadpool(_file, request, who, module_id, body)
    except APIError as exc:
        return _module_page(request, module_id, values, exc, exc.status)
    return RedirectResponse(f"/training/attempts/{attempt_id}", status_code=303)


def _file(request: Request, who: Principal, module_id: str, body: NoticeIn) -> str:
    """Grade and store in one transaction of its own (the handler reads uploads first)."""
    with request.app.state.db.session() as session:
        return file_practice(session, who, module_id, body).id


@router.get("/training/attempts/{attempt_id}", response_class=HTMLResponse)
def attempt_page(
    request: Request,
    attempt_id: str,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("training.practice")),
) -> Response:
    """The grade of a practice notice: each check, the score and the answer key's reasoning."""
    attempt = attempt_of(session, who, attempt_id)
    modules = list(all_scenarios())
    position = modules.index(attempt.scenario)
    return render_app(request, "training/attempt.html", {
        "a": attempt, "s": get_scenario(attempt.scenario), "policies": all_policies(),
        "next_module": modules[position + 1] if position + 1 < len(modules) else None,
        "progress": progress(session, who.user_id)})


@router.get("/training/certificate", response_class=HTMLResponse)
def certificate_page(
    request: Request,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("training.practice")),
) -> Response:
    """The printable completion certificate (404 until every module is passed)."""
    mine = progress(session, who.user_id)
    if mine.completion is None:
        raise NotFound("the certificate is issued once every module is passed", reason="training.no_certificate")
    user = session.get(User, who.user_id)
    office = session.get(Partner, who.partner_id) if who.partner_id else None
    return render_app(request, "training/certificate.html", {
        "c": mine.completion, "progress": mine, "user": user, "office": office})


@router.get("/training/office", response_class=HTMLResponse)
def office_page(
    request: Request,
    partner: str | None = None,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("training.office")),
) -> Response:
    """Each member of an office: modules done, practice score and certificate. A partner
    admin sees their own office; an administrator any (``?partner=``)."""
    if who.role in PARTNER_ROLES:
        if partner and partner != who.partner_id:
            raise NotFound(f"partner {partner} not found", reason="training.office_unknown", params={"ref": partner})
        partner = who.partner_id
    office = session.get(Partner, partner) if partner else None
    if office is None:
        raise NotFound("choose an office: /training/office?partner=<id>", reason="training.office_unchosen")
    return render_app(request, "training/office.html", {
        "office": office, "rows": office_trainees(session, office.id), "total": len(all_scenarios())})


@router.get("/admin/training", response_class=HTMLResponse)
def admin_training(
    request: Request,
    province: str | None = None,
    session: Session = Depends(get_session),
    _: Principal = Depends(require("training.report")),
) -> Response:
    """Completion of training per province (or per regency/city of one province), as a bar
    chart and a table whose rows add up to the total."""
    rows = tally(staff_completion(session), province or None)
    return render_app(request, "training/admin.html", {
        "rows": rows, "province": province or None, "names": {c: r.name for c, r in all_regions().items()},
        "total_staff": sum(r.staff for r in rows), "total_completed": sum(r.completed for r in rows)})
