"""The moderator's home panel: the health of each queue they work (first review, second
review, appeals) by deadline (overdue, due within 1, 4 and 24 hours) and by policy, and the
referrals to fact-checkers by state. Every figure is counted by the query the console's
page it links to lists its rows with (``queue_view``, ``factcheck.referral_view``), with
the same filters, over all its pages."""

from __future__ import annotations

from sqlalchemy.orm import Session

from salingjaga.auth.permissions import roles_for
from salingjaga.auth.principal import Principal
from salingjaga.core.settings import Settings
from salingjaga.core.timeutil import utcnow
from salingjaga.factcheck.referral_view import state_counts
from salingjaga.moderation.queue_view import DUE_CHOICES, QUEUES, by_policy, due_counts
from salingjaga.policies.service import all_policies
from salingjaga.web.panels import Panel


def panel(session: Session, settings: Settings, who: Principal) -> Panel | None:
    """The panel for those who work the console."""
    if who.role not in roles_for("web.console"):
        return None
    now = utcnow()
    counts = {kind: due_counts(session, who, kind, now) for kind, _ in QUEUES}
    queues = [{"kind": kind, "href": href, "total": counts[kind][""],
               "due": {d: counts[kind][d] for d in DUE_CHOICES}} for kind, href in QUEUES]
    per_kind = {kind: by_policy(session, who, kind) for kind, _ in QUEUES}
    policies = sorted({p for counts in per_kind.values() for p in counts})
    referrals = state_counts(session, who)
    return Panel("moderation/home_panel.html", {
        "queues": queues, "due_choices": DUE_CHOICES, "queue_paths": dict(QUEUES), "policies": all_policies(),
        "by_policy": [{"policy": p, "counts": {kind: per_kind[kind].get(p, 0) for kind, _ in QUEUES}}
                      for p in policies],
        "referrals": referrals, "referral_total": sum(referrals.values()),
    })
