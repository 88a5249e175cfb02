"""The guide editor's home panel: for the election nearest today, the guide's pages in each
language by state (not published yet, a draft awaiting a second editor's approval,
published, changed this week), each figure a link to the editor's list with that state's
filter (counted by the same ``editor_view.slots``); and, when readers' visits are counted,
the guide's reach this week, day by day."""

from __future__ import annotations

from sqlalchemy.orm import Session

from salingjaga.auth.permissions import roles_for
from salingjaga.auth.principal import Principal
from salingjaga.core.settings import Settings
from salingjaga.core.timeutil import WIB, utcnow, wib_week_began
from salingjaga.guide import service
from salingjaga.guide.editor_view import STATES, nearest_election, state_counts
from salingjaga.guide.reach import reach_summary
from salingjaga.web.panels import Panel

REACH = ("guide_views", "unique_visitors", "tag_impressions", "tag_clicks")


def panel(session: Session, settings: Settings, who: Principal) -> Panel | None:
    """The panel for those who may edit the guide."""
    if who.role not in roles_for("web.editor"):
        return None
    election = nearest_election()
    if election is None:
        return None
    now = utcnow()
    since = wib_week_began(now)
    reach = reach_summary(session, since.date(), now.astimezone(WIB).date(), election=election.slug)
    days = [d for d in reach["by_day"] if any(d[m] for m in REACH)]
    return Panel("guide/home_panel.html", {
        "election": election, "langs": service.LANGS, "states": STATES,
        "counts": state_counts(session, election.slug, now), "week_began": since,
        "reach": {m: reach["totals"][m] for m in REACH}, "reach_days": days, "reach_metrics": REACH,
    })
