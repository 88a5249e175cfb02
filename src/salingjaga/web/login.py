"""Signing in and out of the web application, and the session loader that lets every API
dependency accept a signed-in browser as well as an API key."""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import quote

from anyio import from_thread
from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from salingjaga.audit.service import record
from salingjaga.auth.deps import get_session, public
from salingjaga.auth.models import User
from salingjaga.auth.principal import Principal
from salingjaga.auth.ratelimit import LoginLimits
from salingjaga.auth.second_factor import has_second_factor
from salingjaga.auth.second_factor import verify as verify_code
from salingjaga.auth.service import authenticate_password, principal_for_user
from salingjaga.core.routing import Router
from salingjaga.web.csrf import UNSAFE, page_guard
from salingjaga.web.i18n import LANGUAGES
from salingjaga.web.pages import render
from salingjaga.web.sessions import (
    COOKIE,
    LOCK,
    SESSION_HOURS,
    clear_failures,
    create_session,
    end_session,
    load_session,
    locked_for,
    record_failure,
)

router = Router(include_in_schema=False, dependencies=[Depends(page_guard)])

# Where each role lands after signing in.
HOME_BY_ROLE = {
    "partner_reporter": "/portal",
    "partner_admin": "/portal",
    "moderator": "/console",
    "senior_moderator": "/console",
    "policy_lead": "/console",
    "fact_checker": "/desk",
    "guide_editor": "/editor",
    "admin": "/admin",
    "auditor": "/admin/audit",
}


def session_principal(request: Request, session: Session) -> Principal | None:
    """The signed-in browser's Principal. A state-changing /api/ call made with the cookie
    must also send the session's CSRF token in ``X-CSRF-Token``, or the cookie is ignored."""
    loaded = load_session(session, request.cookies.get(COOKIE))
    if loaded is None:
        return None
    if request.url.path.startswith("/api/") and request.method in UNSAFE:
        presented = request.headers.get("x-csrf-token", "")
        if not presented or not hmac.compare_digest(presented, loaded.csrf_token):
            return None
    request.state.session_csrf = loaded.csrf_token
    request.state.user_language = loaded.language
    return loaded.principal


PRINCIPAL_LOADER = session_principal  # the app asks every domain's web module for one


def safe_next(target: str | None) -> str:
    """Only same-site paths are followed after login (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or "\n" in target:
        return ""
    return target


def home_for(principal: Principal) -> str:
    """The page a role starts from."""
    return HOME_BY_ROLE.get(principal.role, "/")


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/login", response_class=HTMLResponse, dependencies=[Depends(public)])
def login_page(request: Request, next: str | None = None) -> Response:
    """The sign-in form (a signed-in visitor goes straight to their start page)."""
    principal = getattr(request.state, "principal", None)
    if principal is not None:
        return RedirectResponse(safe_next(next) or home_for(principal), status_code=303)
    return render(request, "web/login.html", {"next": safe_next(next), "email": ""})


@router.post("/login", response_class=HTMLResponse, dependencies=[Depends(public)])
def login_submit(
    request: Request,
    email: str = Form(..., max_length=320),
    password: str = Form(..., max_length=500),
    next: str = Form("", max_length=2000),
    session: Session = Depends(get_session),
) -> Response:
    """Check the password (argon2), throttled per (account, address) pair, per account, per
    address and in all (``auth.ratelimit.LOGIN_LIMITS``); start a session."""
    ip = _client_ip(request)
    email = email.strip()
    ctx = {"next": safe_next(next), "email": email}
    limits: LoginLimits = request.app.state.login_limits
    # The handler runs in a worker thread; the counters live on the event loop.
    blocked = from_thread.run(limits.blocked, email, ip)
    if blocked is not None:
        return _refused(request, ctx, blocked.scope, blocked.minutes)
    left = locked_for(session, email, ip)
    if left is not None:
        return _refused(request, ctx, "pair", max(1, int(left.total_seconds() // 60) + 1))
    principal = authenticate_password(session, email, password)
    if principal is None:
        locked = record_failure(session, email, ip)
        from_thread.run(limits.failed, email, ip)
        blocked = None if locked else from_thread.run(limits.blocked, email, ip)
        if locked or blocked is not None:
            scope = blocked.scope if blocked is not None else "pair"
            subject = {"address": ip, "global": "all"}.get(scope, email.lower()[:80])
            record(session, "system:web", "login.locked", "login", subject, {"ip": ip, "scope": scope})
        session.commit()
        if blocked is not None:
            return _refused(request, ctx, blocked.scope, blocked.minutes)
        if locked:
            return _refused(request, ctx, "pair", int(LOCK.total_seconds() // 60))
        return render(request, "web/login.html", {**ctx, "failed": True}, status=401)
    if has_second_factor(session, principal.user_id):
        # The password was right; the session waits for the code from the person's app.
        session.commit()
        settings = request.app.state.settings
        return render(request, "web/login_code.html", {
            "challenge": code_challenge(settings.secret_key, principal.user_id, email), "next": safe_next(next)})
    clear_failures(session, email, ip)
    return _start_session(request, session, principal, ip, next, {})


def _start_session(request: Request, session: Session, principal: Principal, ip: str, next: str,
                   data: dict[str, str]) -> Response:
    """Open the browser session of a signed-in person and send them on."""
    token = create_session(session, principal.user_id, ip)
    record(session, principal, "session.started", "user", principal.user_id, {"ip": ip, **data})
    session.commit()
    response = RedirectResponse(safe_next(next) or home_for(principal), status_code=303)
    settings = request.app.state.settings
    response.set_cookie(COOKIE, token, max_age=SESSION_HOURS * 3600, httponly=True, samesite="lax",
                        secure=settings.cookie_secure, path="/")
    user = session.get(User, principal.user_id)
    lang = user.language if user is not None else None
    if not request.cookies.get("lang") and lang in LANGUAGES:
        response.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


CHALLENGE_SECONDS = 300


def _challenge_mac(secret_key: str, body: str) -> str:
    return hmac.new(secret_key.encode("utf-8"), b"login-code|" + body.encode("utf-8"), hashlib.sha256).hexdigest()


def code_challenge(secret_key: str, user_id: str, email: str) -> str:
    """Proof, for the second step, that this browser gave the right password moments ago:
    the user, the address and an expiry, signed with the deployment's key."""
    body = f"{user_id}|{email}|{int(time.time()) + CHALLENGE_SECONDS}"
    return f"{body}|{_challenge_mac(secret_key, body)}"


def read_challenge(secret_key: str, challenge: str) -> tuple[str, str] | None:
    """The (user id, e-mail) of a valid, unexpired challenge, or None."""
    body, _, mac = challenge.rpartition("|")
    parts = body.split("|")
    if len(parts) != 3 or not parts[2].isdigit() or not hmac.compare_digest(mac, _challenge_mac(secret_key, body)):
        return None
    if int(parts[2]) < time.time():
        return None
    return parts[0], parts[1]


@router.post("/login/code", response_class=HTMLResponse, dependencies=[Depends(public)])
def login_code(
    request: Request,
    challenge: str = Form(..., max_length=1000),
    code: str = Form(..., max_length=40),
    next: str = Form("", max_length=2000),
    session: Session = Depends(get_session),
) -> Response:
    """The second step of signing in: a code from the authenticator app, or a recovery
    code. Wrong codes count towards the same lock as wrong passwords."""
    settings = request.app.state.settings
    ip = _client_ip(request)
    found = read_challenge(settings.secret_key, challenge)
    if found is None:
        return render(request, "web/login.html", {"next": safe_next(next), "email": "", "expired": True},
                      status=401)
    user_id, email = found
    left = locked_for(session, email, ip)
    if left is not None:
        return _refused(request, {"next": safe_next(next), "email": email}, "pair",
                        max(1, int(left.total_seconds() // 60) + 1))
    user = session.get(User, user_id)
    method = verify_code(session, user_id, code, settings.secret_key) if user is not None and user.active else None
    if user is None or method is None:
        session.rollback()
        locked = record_failure(session, email, ip)
        record(session, "system:web", "login.code_failed", "user", user_id, {"ip": ip})
        session.commit()
        if locked:
            return _refused(request, {"next": safe_next(next), "email": email}, "pair",
                            int(LOCK.total_seconds() // 60))
        return render(request, "web/login_code.html", {"challenge": challenge, "next": safe_next(next),
                                                       "failed": True}, status=401)
    clear_failures(session, email, ip)
    return _start_session(request, session, principal_for_user(user, via="session"), ip, next,
                          {"second_factor": method})


def _refused(request: Request, ctx: dict[str, str], scope: str, minutes: int) -> Response:
    """The form again with a 429 saying which limit refused the sign-in and for how long."""
    return render(request, "web/login.html", {**ctx, "locked_scope": scope, "locked_minutes": minutes},
                  status=429)


@router.post("/logout", dependencies=[Depends(public)])
def logout(request: Request, session: Session = Depends(get_session)) -> Response:
    """End the session server-side and clear the cookie."""
    principal = getattr(request.state, "principal", None)
    end_session(session, request.cookies.get(COOKIE))
    if principal is not None:
        record(session, principal, "session.ended", "user", principal.user_id, {})
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


def login_redirect(request: Request) -> RedirectResponse:
    """Where an unauthenticated page request is sent: the login form, then back."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
