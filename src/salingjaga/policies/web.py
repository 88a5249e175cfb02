"""The admin page of policies: each policy with its DSA mapping and legal grounds, the
elections, and the routing thresholds other domains ship as data (read-only)."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response

from salingjaga.auth.deps import require
from salingjaga.auth.principal import Principal
from salingjaga.core.routing import Router
from salingjaga.policies import library_web
from salingjaga.policies.service import all_policies
from salingjaga.policies.thresholds import routing_thresholds
from salingjaga.regions.elections import all_elections
from salingjaga.web.csrf import page_guard
from salingjaga.web.pages import render_app

router = Router(prefix="/admin", include_in_schema=False, dependencies=[Depends(page_guard)])
routers = (router, library_web.router)


@router.get("/policies", response_class=HTMLResponse)
def admin_policies(
    request: Request,
    _: Principal = Depends(require("web.admin.read")),
) -> Response:
    """Policies with DSA mapping and legal grounds, elections, and routing thresholds."""
    return render_app(request, "policies/admin_policies.html", {
        "policies": list(all_policies().values()),
        "elections": list(all_elections().values()),
        "thresholds": routing_thresholds(),
    })
