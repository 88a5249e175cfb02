"""The partner's home panel: their office's notices by the status they see (each a link to
the portal's list of exactly those notices), the notices received per week over the last
twelve weeks as a chart drawn on the server, and the median time to a decision."""

from __future__ import annotations

from sqlalchemy.orm import Session

from salingjaga.auth.permissions import roles_for
from salingjaga.auth.principal import Principal
from salingjaga.core.settings import Settings
from salingjaga.notices.portal_view import STATUSES, summary, weekly_counts
from salingjaga.web.panels import Panel

WEEKS = 12


def panel(session: Session, settings: Settings, who: Principal) -> Panel | None:
    """The panel for partner staff (those who may open the portal)."""
    if who.role not in roles_for("web.portal") or who.partner_id is None:
        return None
    weeks = weekly_counts(session, who, WEEKS)
    return Panel("notices/home_panel.html", {
        "summary": summary(session, who), "statuses": STATUSES, "weeks": weeks,
        "peak": max((n for _, n in weeks), default=0),
    })
