"""The admin page of the audit log: newest first, filterable, with the hash chain's status.

It lives in the web shell, not in ``audit``: every domain, auth among them, records to the
audit log, so ``audit`` sits below auth and the shell and may import neither."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from salingjaga.audit.models import AuditEvent
from salingjaga.audit.service import verify
from salingjaga.auth.deps import get_session, require
from salingjaga.auth.models import User
from salingjaga.auth.principal import Principal
from salingjaga.core.routing import Router
from salingjaga.web.csrf import page_guard
from salingjaga.web.pages import render_app

router = Router(prefix="/admin", include_in_schema=False, dependencies=[Depends(page_guard)])

AUDIT_PAGE = 50


def actor_names(session: Session, actors: set[str]) -> dict[str, str]:
    """People's names for the ``user:<id>`` actors of a page of entries (an entry keeps the
    id, which stays true when a name changes; the page shows who that is now)."""
    ids = {a.split(":", 1)[1] for a in actors if a.startswith("user:")}
    if not ids:
        return {}
    return {f"user:{uid}": name for uid, name in session.execute(select(User.id, User.name).where(User.id.in_(ids)))}


@router.get("/audit", response_class=HTMLResponse)
def admin_audit(
    request: Request,
    action: str = "",
    entity_type: str = "",
    entity_id: str = "",
    actor: str = "",
    before: int | None = None,
    session: Session = Depends(get_session),
    _: Principal = Depends(require("web.admin.read")),
) -> Response:
    """The audit log, newest first, filterable; the chain is verified on the first page."""
    query = select(AuditEvent).order_by(AuditEvent.position.desc()).limit(AUDIT_PAGE + 1)
    if action:
        query = query.where(AuditEvent.action.startswith(action.strip()))
    if entity_type:
        query = query.where(AuditEvent.entity_type == entity_type.strip())
    if entity_id:
        query = query.where(AuditEvent.entity_id == entity_id.strip())
    if actor:
        query = query.where(AuditEvent.actor == actor.strip())
    if before is not None:
        query = query.where(AuditEvent.position < before)
    rows = list(session.scalars(query))
    more = len(rows) > AUDIT_PAGE
    rows = rows[:AUDIT_PAGE]
    report = verify(session) if before is None else None
    filters = {"action": action, "entity_type": entity_type, "entity_id": entity_id, "actor": actor}
    next_params = urlencode({k: v for k, v in filters.items() if v})
    return render_app(request, "web/admin_audit.html", {
        "actors": actor_names(session, {e.actor for e in rows}),
        "events": rows, "report": report, "filters": filters, "more": more,
        "next_before": rows[-1].position if rows else None, "next_params": next_params,
    })
