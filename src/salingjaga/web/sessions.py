"""Server-side browser sessions and the login throttle (no HTTP here).

The cookie holds 32 random bytes; the table holds their SHA-256, the user and the session's
CSRF token. Logout deletes the row, so a stolen cookie stops working at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from salingjaga.auth.models import User
from salingjaga.auth.principal import Principal
from salingjaga.auth.service import principal_for_user
from salingjaga.core.timeutil import utcnow
from salingjaga.web.models import LoginThrottle, WebSession

COOKIE = "sj_session"
SESSION_HOURS = 12
# Throttle: this many failures for one (email, address) pair within WINDOW lock it for LOCK.
MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCK = timedelta(minutes=15)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LoadedSession:
    """A valid session: who it belongs to and the token its forms must carry."""

    id: str
    principal: Principal
    csrf_token: str
    language: str


def create_session(session: Session, user_id: str, ip: str) -> str:
    """Start a session for a user; returns the cookie value (shown to the browser only)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    # Expired rows of anyone are swept here, so the table never grows without bound.
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    session.add(WebSession(id=_digest(token), user_id=user_id, csrf_token=secrets.token_urlsafe(32),
                           ip=ip[:64], created_at=now, expires_at=now + timedelta(hours=SESSION_HOURS)))
    session.flush()
    return token


def load_session(session: Session, token: str | None) -> LoadedSession | None:
    """The live session for a cookie value, or None (unknown, expired, user deactivated)."""
    if not token or len(token) > 200:
        return None
    row = session.execute(
        select(WebSession, User).join(User, User.id == WebSession.user_id)
        .where(WebSession.id == _digest(token))
    ).first()
    if row is None:
        return None
    ws, user = row
    if ws.expires_at <= utcnow() or not user.active:
        return None
    return LoadedSession(ws.id, principal_for_user(user, via="session"), ws.csrf_token, user.language)


def end_session(session: Session, token: str | None) -> None:
    """Forget a session (logout)."""
    if token:
        session.execute(delete(WebSession).where(WebSession.id == _digest(token)))


def end_user_sessions(session: Session, user_id: str) -> int:
    """Forget every session of a user (deactivation); returns how many ended."""
    result = session.execute(delete(WebSession).where(WebSession.user_id == user_id))
    return int(getattr(result, "rowcount", 0) or 0)


def _throttle_key(email: str, ip: str) -> str:
    return f"{email.strip().lower()[:320]}|{ip[:64]}"


def locked_for(session: Session, email: str, ip: str) -> timedelta | None:
    """How long logins for this (email, address) stay refused, or None when allowed."""
    row = session.get(LoginThrottle, _throttle_key(email, ip))
    if row is None or row.locked_until is None:
        return None
    left = row.locked_until - utcnow()
    return left if left.total_seconds() > 0 else None


def record_failure(session: Session, email: str, ip: str) -> bool:
    """Count a failed login; returns True when this failure locks the pair."""
    key = _throttle_key(email, ip)
    now = utcnow()
    row = session.get(LoginThrottle, key)
    if row is None:
        row = LoginThrottle(key=key, failures=0, first_failure_at=now, locked_until=None)
        session.add(row)
    if now - row.first_failure_at > WINDOW or (row.locked_until is not None and row.locked_until <= now):
        row.failures = 0
        row.first_failure_at = now
        row.locked_until = None
    row.failures += 1
    if row.failures >= MAX_FAILURES:
        row.locked_until = now + LOCK
    session.flush()
    return row.locked_until is not None


def clear_failures(session: Session, email: str, ip: str) -> None:
    """A successful login forgets the pair's failures."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == _throttle_key(email, ip)))
