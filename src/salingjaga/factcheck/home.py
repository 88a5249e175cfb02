"""The fact-checker's home panel: the referrals waiting for their organisation's verdict,
those answered this week, the fact-checks the organisation added this week, and the median
time from a referral to its verdict. Each figure is counted by the query of the desk's list
it links to (``referral_view``), so following the link lists exactly that many rows.

A referral is sent or answered: the desk records no state in between, so "in progress" is
not a figure here."""

from __future__ import annotations

from sqlalchemy.orm import Session

from salingjaga.auth.principal import Principal
from salingjaga.core.settings import Settings
from salingjaga.core.timeutil import utcnow, wib_week_began
from salingjaga.factcheck.referral_view import claim_count, median_seconds_to_answer, referral_count
from salingjaga.web.panels import Panel


def panel(session: Session, settings: Settings, who: Principal) -> Panel | None:
    """The panel for fact-checkers (staff reach the referrals from the console)."""
    if who.role != "fact_checker" or who.partner_id is None:
        return None
    now = utcnow()
    return Panel("factcheck/home_panel.html", {
        "waiting": referral_count(session, who, "sent"),
        "answered_week": referral_count(session, who, "done", "week", now),
        "answered": referral_count(session, who, "done"),
        "claims_week": claim_count(session, who, "week", now),
        "median_seconds": median_seconds_to_answer(session, who),
        "week_began": wib_week_began(now),
    })
