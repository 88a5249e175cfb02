"""Admin pages: partners, users and their API keys (shown once), deactivating and
reactivating users, the role matrix, policies and routing thresholds (read-only), and the
audit log with its chain status."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salingjaga.audit.models import AuditEvent
from salingjaga.audit.service import record, verify
from salingjaga.auth.deps import get_session, require
from salingjaga.auth.models import ApiKey, User
from salingjaga.auth.permissions import all_permissions
from salingjaga.auth.principal import Principal
from salingjaga.auth.roles import PARTNER_ROLES, ROLES
from salingjaga.auth.service import create_api_key, create_user, revoke_api_key
from salingjaga.errors import APIError, Invalid, NotFound
from salingjaga.partners.models import PARTNER_KINDS
from salingjaga.partners.service import create_partner, list_partners
from salingjaga.policies.service import all_policies
from salingjaga.regions.elections import all_elections
from salingjaga.regions.service import all_regions, provinces, regencies
from salingjaga.routing import Router
from salingjaga.web.csrf import page_guard
from salingjaga.web.pages import render_app
from salingjaga.web.sessions import end_user_sessions
from salingjaga.web.thresholds import routing_thresholds

router = Router(prefix="/admin", include_in_schema=False, dependencies=[Depends(page_guard)])

AUDIT_PAGE = 50


def region_choices() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """Provinces with their regencies/cities, for a grouped <select>."""
    return [(p.code, p.name, [(r.code, r.name) for r in regencies(p.code)]) for p in provinces()]


def _partner_form_ctx(values: dict[str, Any] | None = None, error: str = "") -> dict[str, Any]:
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
    return render_app(request, "web/admin_partners.html", {
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
        return render_app(request, "web/admin_partners.html", {
            "partners": partners, "members": {}, "region_names": {},
            **_partner_form_ctx(values, exc.message)}, status=exc.status)
    session.commit()
    return render_app(request, "web/admin_key_once.html", {
        "title_kind": "partner", "subject": partner.name, "partner": partner, "api_key": key,
    }, status=201)


def _users_ctx(session: Session) -> dict[str, Any]:
    users = list(session.scalars(select(User).order_by(User.role, User.name)))
    keys: dict[str, list[ApiKey]] = {}
    for k in session.scalars(select(ApiKey).order_by(ApiKey.created_at)):
        keys.setdefault(k.user_id, []).append(k)
    partners = list_partners(session)
    return {"users": users, "keys": keys, "partners": partners,
            "partner_names": {p.id: p.name for p in partners}, "roles": ROLES,
            "partner_roles": PARTNER_ROLES}


@router.get("/users", response_class=HTMLResponse)
def admin_users(
    request: Request,
    session: Session = Depends(get_session),
    _: Principal = Depends(require("web.admin")),
) -> Response:
    """Every user with role, organisation and API keys (prefixes only)."""
    return render_app(request, "web/admin_users.html", {
        **_users_ctx(session), "values": {}, "error": "", "done": request.query_params.get("done")})


@router.post("/users", response_class=HTMLResponse)
def admin_create_user(
    request: Request,
    name: str = Form(..., min_length=1, max_length=200),
    role: str = Form(...),
    email: str = Form("", max_length=320),
    password: str = Form("", max_length=200),
    partner_id: str = Form(""),
    language: str = Form("id"),
    issue_key: bool = Form(False),
    session: Session = Depends(get_session),
    who: Principal = Depends(require("web.admin")),
) -> Response:
    """Create a user (password hashed with argon2); an API key, if asked for, is shown once."""
    values = {"name": name, "role": role, "email": email, "partner_id": partner_id, "language": language}
    try:
        if password and len(password) < 10:
            raise Invalid("the password needs at least 10 characters")
        if language not in ("id", "en"):
            raise Invalid("language must be id or en")
        user = create_user(session, name=name.strip(), role=role, partner_id=partner_id or None,
                           email=email.strip() or None, password=password or None,
                           language=language, actor=who)
        key = create_api_key(session, user.id, label="admin", actor=who) if issue_key else None
    except APIError as exc:
        session.rollback()
        return render_app(request, "web/admin_users.html",
                          {**_users_ctx(session), "values": values, "error": exc.message}, status=exc.status)
    session.commit()
    if key is None:
        return RedirectResponse("/admin/users?done=user_created", status_code=303)
    return render_app(request, "web/admin_key_once.html",
                      {"title_kind": "user", "subject": user.name, "api_key": key}, status=201)


@router.post("/users/{user_id}/keys", response_class=HTMLResponse)
def admin_issue_key(
    request: Request,
    user_id: str,
    label: str = Form("", max_length=200),
    session: Session = Depends(get_session),
    who: Principal = Depends(require("web.admin")),
) -> Response:
    """A new API key for a user, shown once."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    key = create_api_key(session, user_id, label=label.strip(), actor=who)
    session.commit()
    return render_app(request, "web/admin_key_once.html",
                      {"title_kind": "user", "subject": user.name, "api_key": key}, status=201)


@router.post("/keys/{key_id}/revoke")
def admin_revoke_key(
    key_id: str,
    request: Request,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("web.admin")),
) -> Response:
    """Revoke a key; it stops working on this server's next request (other servers: within
    ``auth_cache_seconds``)."""
    revoke_api_key(session, key_id, actor=who)
    _forget_keys(request, session)
    return RedirectResponse("/admin/users?done=key_revoked", status_code=303)


def set_user_active(session: Session, who: Principal, user_id: str, active: bool) -> User:
    """Deactivate or reactivate a user. While inactive, their API keys are refused (the
    keys are kept, not revoked, so reactivation restores them) and their browser sessions
    are ended; nobody deactivates their own account. Audited; a no-op change is not."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    if not active and user.id == who.user_id:
        raise Invalid("you cannot deactivate your own account; ask another admin")
    if user.active == active:
        return user
    user.active = active
    data: dict[str, Any] = {"role": user.role, "partner_id": user.partner_id}
    if not active:
        data["sessions_ended"] = end_user_sessions(session, user.id)
    record(session, who, "user.reactivated" if active else "user.deactivated", "user", user.id, data)
    return user


def _forget_keys(request: Request, session: Session) -> None:
    """Commit the change, then drop this server's cached key look-ups (in that order: a
    request between the two would otherwise cache the old answer again)."""
    session.commit()
    request.app.state.auth_cache.clear()


@router.post("/users/{user_id}/deactivate")
def admin_deactivate_user(
    user_id: str,
    request: Request,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("web.admin")),
) -> Response:
    """Stop a user: their sessions end now and their API keys are refused while inactive."""
    set_user_active(session, who, user_id, False)
    _forget_keys(request, session)
    return RedirectResponse("/admin/users?done=user_deactivated", status_code=303)


@router.post("/users/{user_id}/reactivate")
def admin_reactivate_user(
    user_id: str,
    request: Request,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("web.admin")),
) -> Response:
    """Let a user work again: their unrevoked API keys work; they sign in anew."""
    set_user_active(session, who, user_id, True)
    _forget_keys(request, session)
    return RedirectResponse("/admin/users?done=user_reactivated", status_code=303)


@router.get("/roles", response_class=HTMLResponse)
def admin_roles(
    request: Request,
    _: Principal = Depends(require("web.admin.read")),
) -> Response:
    """The permission matrix: which role may do what, as the API enforces it."""
    perms = all_permissions()
    return render_app(request, "web/admin_roles.html",
                      {"roles": ROLES, "permissions": sorted(perms.items())})


@router.get("/policies", response_class=HTMLResponse)
def admin_policies(
    request: Request,
    _: Principal = Depends(require("web.admin.read")),
) -> Response:
    """Policies with DSA mapping and legal grounds, elections, and routing thresholds."""
    return render_app(request, "web/admin_policies.html", {
        "policies": list(all_policies().values()),
        "elections": list(all_elections().values()),
        "thresholds": routing_thresholds(),
    })


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
        "events": rows, "report": report, "filters": filters, "more": more,
        "next_before": rows[-1].position if rows else None, "next_params": next_params,
    })
