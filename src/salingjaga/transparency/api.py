"""``/api/v1/transparency``: the period report (JSON or CSV), its charts, partner reports."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import Depends, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from salingjaga.auth.deps import get_session, require
from salingjaga.auth.principal import Principal
from salingjaga.auth.roles import PARTNER_ROLES
from salingjaga.core.db_waits import advisory_xact_lock
from salingjaga.core.errors import NotFound
from salingjaga.core.routing import Router
from salingjaga.transparency import service
from salingjaga.transparency.exports import to_csv
from salingjaga.transparency.queries import Scope
from salingjaga.transparency.rollup import ROLLUP_LOCK
from salingjaga.transparency.schemas import PartnerReport, PeriodReport

router = Router(prefix="/api/v1/transparency", tags=["transparency"])


def scope_params(
    from_: date = Query(alias="from", description="first WIB day, YYYY-MM-DD"),
    to: date = Query(description="last WIB day (included), YYYY-MM-DD"),
    election: str | None = Query(None, max_length=60, description="election slug, e.g. pemilu-2024"),
    region: str | None = Query(None, max_length=16, description="Kemendagri code; a province includes its regencies"),
) -> Scope:
    """The report scope from query parameters (422 for an unknown election or region)."""
    return service.make_scope(from_, to, election, region)


def locked_report(session: Session, scope: Scope) -> dict[str, Any]:
    """The report, with the rollup refresh serialised between concurrent requests."""
    if session.get_bind().dialect.name == "postgresql":
        advisory_xact_lock(session, ROLLUP_LOCK)
    return service.period_report(session, scope)


@router.get("/report", response_model=PeriodReport, responses={200: {"content": {
    "text/csv": {"schema": {"type": "string"}, "example": "section,key,value\n"}}}})
def get_report(
    scope: Scope = Depends(scope_params),
    format: str = Query("json", pattern="^(json|csv)$", description="json or csv"),
    session: Session = Depends(get_session),
    _: Principal = Depends(require("transparency.report.read")),
) -> Any:
    """Actions per policy and type, by source and automation; notices per partner kind;
    time to decision; appeals; fact-check referrals; GPPPA refusals; guide reach."""
    report = locked_report(session, scope)
    if format == "csv":
        name = f"transparency-{scope.start}-{scope.end}.csv"
        return Response(to_csv(report), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return report


@router.get("/charts/{name}.svg", response_class=Response,
            responses={200: {"content": {"image/svg+xml": {"schema": {"type": "string"}}}}})
def get_chart(
    name: str,
    scope: Scope = Depends(scope_params),
    lang: str = Query("en", pattern="^(id|en)$"),
    session: Session = Depends(get_session),
    _: Principal = Depends(require("transparency.report.read")),
) -> Response:
    """One chart of the report as SVG: ``policy``, ``daily`` or ``ttd``."""
    charts = service.report_charts(locked_report(session, scope), lang)
    if name not in charts:
        raise NotFound(f"no chart {name!r}; charts: {', '.join(charts)}", reason="transparency.chart_unknown",
                       params={"ref": name})
    return Response(charts[name], media_type="image/svg+xml")


@router.get("/partners/{partner_id}/report", response_model=PartnerReport)
def get_partner_report(
    partner_id: str,
    scope: Scope = Depends(scope_params),
    session: Session = Depends(get_session),
    who: Principal = Depends(require("transparency.partner_report.read")),
) -> dict[str, Any]:
    """A partner's notices by policy and by action taken (DSA Art. 22(3)); partner staff
    read their own organisation's reports within their jurisdiction, nobody else's."""
    if who.role in PARTNER_ROLES:
        from salingjaga.partners.service import visible_partner_ids

        if who.partner_id is None or partner_id not in visible_partner_ids(session, who.partner_id):
            raise NotFound(f"partner {partner_id} not found", reason="transparency.partner_unknown",
                           params={"ref": partner_id})
    return service.partner_report(session, partner_id, scope)
