"""Admin pages for partner organisations: every partner at a glance, and adding one with
its first reporter key (shown once). The partners table is this domain's; the user and key
come from ``auth.service``."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salingjaga.auth.deps import get_session, require
from salingjaga.auth.models import User
from salingjaga.auth.principal import Principal
from salingjaga.auth.service import create_api_key, create_user
from salingjaga.core.errors import APIError
from salingjaga.core.routing import Router
from salingjaga.partners import team
from salingjaga.partners.importer import apply_import, plan_import
from salingjaga.partners.models import PARTNER_KINDS
from salingjaga.partners.offices import shipped_offices_csv
from salingjaga.partners.service import create_partner, list_partners
from salingjaga.policies.service import all_policies
from salingjaga.regions.service import all_regions, provinces, regencies
from salingjaga.web.csrf import page_guard
from salingjaga.web.pages import render_app

router = Router(prefix="/admin", include_in_schema=False, dependencies=[Depends(page_guard)])
routers = (router, team.router)


def region_choices() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """Provinces with their regencies/cities, for a grouped <select>."""
    return [(p.code, p.name, [(r.code, r.name) for r in regencies(p.code)]) for p in provinces()]


def _partner_form_ctx(values: dict[str, Any] | None = None, error: str | APIError = "") -> dict[str, Any]:
    return {
        "kinds": PARTNER_KINDS,
        "policies": all_policies(),
        "regions": region_choices(),
        "values": values or {"policies": []},
        "error": error,
    }


@router.get("", response_class=HTMLResponse)
def admin_home(
    request: Request,
    session: Session = Depends(get_session),
    _: Principal = Depends(require("web.admin")),
) -> Response:
    """Partners at a glance, and the way to add one."""
    partners = list_partners(session)
    members = dict(session.execute(
        select(User.partner_id, func.count(User.id)).where(User.partner_id.is_not(None)).group_by(User.partner_id)
    ).all())
    regions = all_regions()
    return render_app(request, "partners/admin_partners.html", {
        "partners": partners, "members": members, "region_names": {c: r.name for c, r in regions.items()},
        **_partner_form_ctx(), "done": request.query_params.get("done"),
    })


@router.post("/partners", response_class=HTMLResponse)
def admin_create_partner(
    request: Request,
    name: str = Form(..., min_length=1, max_length=200),
    kind: str = Form(...),
    organisation: str = Form("", max_length=80),
    region: str = Form("", max_length=16),
    trusted: bool = Form(False),
    policies: list[str] = Form([]),
    contact_email: str = Form("", max_length=320),
    session: Session = Depends(get_session),
    who: Principal = Depends(require("web.admin")),
) -> Response:
    """Create a partner and its first reporter key, which this page shows once."""
    values = {"name": name, "kind": kind, "organisation": organisation, "region": region,
              "trusted": trusted, "policies": policies, "contact_email": contact_email}
    try:
        partner = create_partner(
            session, name=name.strip(), kind=kind, region=region or None,
            organisation=organisation.strip() or None, trusted=trusted, policies=policies,
            contact_email=contact_email.strip() or None, actor=who,
        )
        user = create_user(session, name=f"{partner.name} (API)", role="partner_reporter",
                           partner_id=partner.id, actor=who)
        key = create_api_key(session, user.id, label="initial", actor=who)
    except APIError as exc:
        session.rollback()
        partners = list_partners(session)
        return render_app(request, "partners/admin_partners.html", {
            "partners": partners, "members": {}, "region_names": {},
            **_partner_form_ctx(values, exc)}, status=exc.status)
    session.commit()
    return render_app(request, "web/admin_key_once.html", {
        "title_kind": "partner", "subject": partner.name, "partner": partner, "api_key": key,
    }, status=201)


MAX_IMPORT_BYTES = 2 * 1024 * 1024


@router.get("/partners/import", response_class=HTMLResponse)
def admin_import_page(
    request: Request,
    _: Principal = Depends(require("web.admin")),
) -> Response:
    """The bulk onboarding form: a CSV of offices, or the shipped Bawaslu list."""
    return render_app(request, "partners/admin_import.html", {"plan": None})


@router.post("/partners/import", response_class=HTMLResponse)
def admin_import(
    request: Request,
    file: UploadFile | None = File(None),
    csv_text: str = Form("", max_length=MAX_IMPORT_BYTES),
    source: str = Form("file"),
    action: str = Form("dry_run"),
    session: Session = Depends(get_session),
    who: Principal = Depends(require("web.admin")),
) -> Response:
    """Show what the file would change (``dry_run``) or import it (``apply``). The reviewed
    text travels back with the apply step, so what is applied is what the admin saw."""
    if source == "bawaslu":
        text = shipped_offices_csv()
    else:
        data = file.file.read(MAX_IMPORT_BYTES + 1) if file is not None and file.filename else b""
        text = data.decode("utf-8-sig", errors="replace") if data else csv_text
        if not text.strip() or len(data) > MAX_IMPORT_BYTES:
            return render_app(request, "partners/admin_import.html", {"plan": None, "error": True}, status=422)
    apply = action == "apply"
    try:
        plan = apply_import(session, text, actor=who) if apply else plan_import(session, text)
    except APIError:
        session.rollback()
        plan, apply = plan_import(session, text), False
    return render_app(request, "partners/admin_import.html", {
        "plan": plan, "applied": apply, "source": source, "csv_text": "" if source == "bawaslu" else text,
    }, status=422 if plan.errors else 200)
