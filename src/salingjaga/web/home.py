"""The administrator's home panel: the people and API keys on the platform (counted as
the users page lists them) and the latest entries of the audit log in words, with the
actors' names. Users, keys and the audit log are below the shell, so the shell makes
this panel itself; the app lists it with the domains' panels (``parts.HOME``)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salingjaga.audit.models import AuditEvent
from salingjaga.auth.models import ApiKey, User
from salingjaga.auth.permissions import roles_for
from salingjaga.auth.principal import Principal
from salingjaga.core.settings import Settings
from salingjaga.web.admin_audit import actor_names
from salingjaga.web.panels import Panel

RECENT = 8


def panel(session: Session, settings: Settings, who: Principal) -> Panel | None:
    """The panel for administrators (those who may manage users)."""
    if who.role not in roles_for("web.admin"):
        return None
    by_role = dict(session.execute(select(User.role, func.count()).group_by(User.role)).all())
    active = session.scalar(select(func.count()).select_from(User).where(User.active.is_(True))) or 0
    keys_live = session.scalar(select(func.count()).select_from(ApiKey).where(ApiKey.revoked_at.is_(None))) or 0
    keys_all = session.scalar(select(func.count()).select_from(ApiKey)) or 0
    events = list(session.scalars(select(AuditEvent).order_by(AuditEvent.position.desc()).limit(RECENT)))
    return Panel("web/home_admin.html", {
        "users": sum(by_role.values()), "active": active, "by_role": sorted(by_role.items()),
        "keys_live": keys_live, "keys_revoked": keys_all - keys_live,
        "events": events, "actors": actor_names(session, {e.actor for e in events}),
    })
