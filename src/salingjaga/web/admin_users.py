"""Admin pages for the people who work here: users and their API keys (shown once),
deactivating and reactivating users, and the role matrix. Users, keys and roles are the
auth domain's (``auth.service`` creates and revokes them); these pages sit in the web shell
because they stand on it (sessions, CSRF, the layout), which auth, below the shell, may not
import. The other admin tabs are their owners' pages (``partners``, ``policies``) and the
audit log (``web/admin_audit.py``), under the same ``/admin`` prefix and tabs
(``web/_admin_tabs.html``)."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from salingjaga.auth.deps import get_session, require
from salingjaga.auth.models import ApiKey, User
from salingjaga.auth.partners import list_partners
from salingjaga.auth.permissions import all_permissions
from salingjaga.auth.principal import Principal
from salingjaga.auth.roles import PARTNER_ROLES, ROLES
from salingjaga.auth.service import create_api_key, create_user, revoke_api_key, set_active
from salingjaga.core.errors import APIError, Invalid, NotFound
from salingjaga.core.routing import Router
from salingjaga.web.csrf import page_guard
from salingjaga.web.pages import render_app
from salingjaga.web.sessions import end_user_sessions

router = Router(prefix="/admin", include_in_schema=False, dependencies=[Depends(page_guard)])


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
            raise Invalid("the password needs at least 10 characters", reason="password.too_short", params={"n": 10})
        if language not in ("id", "en"):
            raise Invalid("language must be id or en", reason="language.unknown")
        user = create_user(session, name=name.strip(), role=role, partner_id=partner_id or None,
                           email=email.strip() or None, password=password or None,
                           language=language, actor=who)
        key = create_api_key(session, user.id, label="admin", actor=who) if issue_key else None
    except APIError as exc:
        session.rollback()
        return render_app(request, "web/admin_users.html",
                          {**_users_ctx(session), "values": values, "error": exc}, status=exc.status)
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
        raise NotFound(f"user {user_id} not found", reason="user.unknown", params={"ref": user_id})
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
    """Deactivate or reactivate a user (``auth.service.set_active``); a deactivated user's
    browser sessions, which are this shell's, end with it."""
    return set_active(session, user_id, active, who,
                      on_deactivate=lambda uid: {"sessions_ended": end_user_sessions(session, uid)})


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
