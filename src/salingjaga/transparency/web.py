"""The public transparency page: ``/transparansi`` in Bahasa Indonesia, ``/transparency`` in
English. Server-rendered figures and inline SVG charts; the page needs no script of its
own, and its policy allows only the shared layout's same-origin files (no inline code)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from salingjaga.auth.deps import get_session, public
from salingjaga.core.errors import APIError
from salingjaga.core.routing import Router
from salingjaga.core.timeutil import utcnow
from salingjaga.policies.service import all_policies
from salingjaga.regions.elections import all_elections
from salingjaga.transparency import service
from salingjaga.transparency.api import locked_report
from salingjaga.transparency.report import TYPE_ORDER, wib_day

router = Router(include_in_schema=False)

PUBLIC_MAX_DAYS = 400
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def _page(request: Request, session: Session, lang: str, start: date | None, end: date | None,
          election: str | None) -> HTMLResponse:
    today = wib_day(utcnow())
    end = end or today
    start = start or end - timedelta(days=29)
    error = None
    report: dict[str, Any] | None = None
    charts: dict[str, str] = {}
    try:
        if (end - start).days >= PUBLIC_MAX_DAYS:
            raise APIError(f"the public page shows at most {PUBLIC_MAX_DAYS} days", status=422,
                           reason="period.too_long", params={"n": PUBLIC_MAX_DAYS})
        scope = service.make_scope(start, end, election or None, None)
        report = locked_report(session, scope)
        charts = service.report_charts(report, lang)
    except APIError as exc:
        error = exc
    policies = all_policies()
    response = service_render(request, lang, {
        "report": report, "charts": charts, "error": error, "start": start, "end": end,
        "election": election or "", "elections": sorted(all_elections()),
        "policy_names": {code: p.name.get(lang, code) for code, p in policies.items()},
        "types": TYPE_ORDER, "type_labels": service.TYPE_LABELS[lang],
        "path": "/transparansi" if lang == "id" else "/transparency",
        "other_path": "/transparency" if lang == "id" else "/transparansi",
    }, status=422 if error else 200)
    response.headers["Content-Security-Policy"] = CSP
    return response


def service_render(request: Request, lang: str, context: dict[str, Any], status: int) -> HTMLResponse:
    """Render the page template in ``lang``."""
    from salingjaga.web.pages import render

    return render(request, "transparency/report.html", context, status=status, lang=lang)


@router.get("/transparansi", response_class=HTMLResponse, dependencies=[Depends(public)])
def transparansi(
    request: Request,
    from_: date | None = Query(None, alias="from"),
    to: date | None = Query(None),
    election: str | None = Query(None, max_length=60),
    session: Session = Depends(get_session),
) -> HTMLResponse:
    """Laporan transparansi (Bahasa Indonesia)."""
    return _page(request, session, "id", from_, to, election)


@router.get("/transparency", response_class=HTMLResponse, dependencies=[Depends(public)])
def transparency(
    request: Request,
    from_: date | None = Query(None, alias="from"),
    to: date | None = Query(None),
    election: str | None = Query(None, max_length=60),
    session: Session = Depends(get_session),
) -> HTMLResponse:
    """The transparency report (English)."""
    return _page(request, session, "en", from_, to, election)
