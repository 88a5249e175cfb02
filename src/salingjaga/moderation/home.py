"""The moderator's home panel: the health of each queue they work (first review, second
review, appeals) by deadline (overdue, due within 1, 4 and 24 hours) and by policy, and the
referrals to fact-checkers by state. Every figure is counted from the rows the console's
page it links to lists (``queue_view``, ``referrals_web``), with the same filters."""

from __future__ import annotations

from sqlalchemy.orm import Session

from salingjaga.auth.permissions import roles_for
from salingjaga.auth.principal import Principal
from salingjaga.core.settings import Settings
from salingjaga.core.timeutil import utcnow
from salingjaga.moderation.queue_view import DUE_CHOICES, QUEUES, filtered, queue_rows
from salingjaga.moderation.referrals_web import STATES, referral_rows
from salingjaga.policies.service import all_policies
from salingjaga.web.panels import Panel


def panel(session: Session, settings: Settings, who: Principal) -> Panel | None:
    """The panel for those who work the console."""
    if who.role not in roles_for("web.console"):
        return None
    now = utcnow()
    rows = {kind: queue_rows(session, who, kind) for kind, _ in QUEUES}
    queues = [{"kind": kind, "href": href, "total": len(rows[kind]),
               "due": {d: len(filtered(rows[kind], {"due": d}, now)) for d in DUE_CHOICES}}
              for kind, href in QUEUES]
    policies = sorted({c.policy for kind_rows in rows.values() for c, _ in kind_rows})
    by_policy = [{"policy": p, "counts": {kind: len(filtered(rows[kind], {"policy": p}, now)) for kind, _ in QUEUES}}
                 for p in policies]
    referrals = referral_rows(session, who, "")
    return Panel("moderation/home_panel.html", {
        "queues": queues, "due_choices": DUE_CHOICES, "by_policy": by_policy, "queue_paths": dict(QUEUES),
        "policies": all_policies(), "referrals": {s: sum(1 for r in referrals if r.status == s) for s in STATES},
        "referral_total": len(referrals),
    })
