"""Feedback to partners: how their notices fared (pure summaries plus the queries).

Art. 22(6) DSA: a flagger whose notices are mostly unfounded is flagged for review; we use
at least MIN_DECIDED decided notices with more than UNFOUNDED_SHARE decided as no violation.
Art. 22(3): a yearly report per partner.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from statistics import median
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salingjaga.notices.models import Notice, NoticeEvidence
from salingjaga.partners.service import get_partner

MIN_DECIDED = 10
UNFOUNDED_SHARE = 0.5
# "reverse": the decision was overturned (second review or appeal) and nothing stands.
NOT_ACTIONED = frozenset({"no_violation", "uphold", "reverse"})


# A specific explanation is at least this long (the training sandbox asks the same).
SHORT_EXPLANATION = 60


@dataclass(frozen=True)
class NoticeFact:
    """What feedback needs of one notice (how it was made, for the reasons it got no action)."""

    policy: str
    received_at: datetime
    decided_at: datetime | None
    outcome: str | None
    legal_ground: str | None = None
    explanation: str = ""
    evidence: int = 0
    priority_note: str | None = None


def no_action_reasons(fact: NoticeFact) -> list[str]:
    """Why a decided notice got no action, as far as the notice shows: the decision
    (``no_violation``; ``reversed`` on review or appeal) and what the notice lacked, the
    things training can teach (no legal ground, no evidence, a short explanation, a policy
    outside the office's trusted areas or a region outside its jurisdiction)."""
    if fact.decided_at is None or not fact.outcome or fact.outcome not in NOT_ACTIONED:
        return []
    out = ["reversed" if fact.outcome in {"reverse", "uphold"} else "no_violation"]
    if not (fact.legal_ground or "").strip():
        out.append("no_legal_ground")
    if fact.evidence == 0:
        out.append("no_evidence")
    if len(fact.explanation.strip()) < SHORT_EXPLANATION:
        out.append("short_explanation")
    if fact.priority_note:
        out.append("outside_trusted_scope")
    return out


def summarise(facts: Iterable[NoticeFact]) -> dict[str, Any]:
    """Totals, share actioned, median hours to decision, counts by policy, and the flag."""
    rows = list(facts)
    decided = [f for f in rows if f.decided_at is not None and f.outcome]
    actioned = [f for f in decided if f.outcome not in NOT_ACTIONED]
    hours = [(f.decided_at - f.received_at).total_seconds() / 3600 for f in decided if f.decided_at]
    by_policy: dict[str, dict[str, int]] = {}
    for f in rows:
        entry = by_policy.setdefault(f.policy, {"notices": 0, "decided": 0, "actioned": 0})
        entry["notices"] += 1
        if f in decided:
            entry["decided"] += 1
            if f.outcome not in NOT_ACTIONED:
                entry["actioned"] += 1
    reasons: dict[str, int] = {}
    for f in decided:
        for reason in no_action_reasons(f):
            reasons[reason] = reasons.get(reason, 0) + 1
    unfounded = len(decided) - len(actioned)
    flagged = len(decided) >= MIN_DECIDED and unfounded / len(decided) > UNFOUNDED_SHARE
    return {
        "totals": {
            "notices": len(rows), "decided": len(decided), "actioned": len(actioned),
            "unfounded": unfounded, "pending": len(rows) - len(decided),
            "share_actioned": round(len(actioned) / len(decided), 4) if decided else None,
            "median_hours_to_decision": round(median(hours), 2) if hours else None,
        },
        "by_policy": by_policy,
        # most common first: what to train the office on
        "no_action_reasons": dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        "flagged_mostly_unfounded": flagged,
    }


def _facts(session: Session, partner_id: str, start: datetime | None, end: datetime | None) -> list[NoticeFact]:
    evidence = (select(func.count(NoticeEvidence.id)).where(NoticeEvidence.notice_id == Notice.id)
                .correlate(Notice).scalar_subquery())
    q = select(Notice.policy, Notice.received_at, Notice.decided_at, Notice.outcome, Notice.legal_ground,
               Notice.explanation, evidence, Notice.priority_note).where(Notice.partner_id == partner_id)
    if start is not None:
        q = q.where(Notice.received_at >= start)
    if end is not None:
        q = q.where(Notice.received_at < end)
    return [NoticeFact(*row) for row in session.execute(q)]


def partner_feedback(session: Session, partner_id: str, start: datetime | None = None,
                     end: datetime | None = None) -> dict[str, Any]:
    """Feedback for a partner over a period (all time when open)."""
    get_partner(session, partner_id)
    out = summarise(_facts(session, partner_id, start, end))
    return {"partner_id": partner_id,
            "period": {"start": start.isoformat() if start else None, "end": end.isoformat() if end else None},
            **out}


def yearly_report(session: Session, partner_id: str, year: int) -> dict[str, Any]:
    """The Art. 22(3) yearly report of one partner."""
    partner = get_partner(session, partner_id)
    start = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    body = partner_feedback(session, partner_id, start, end)
    return {"report": "DSA Art. 22(3) trusted flagger report", "year": year,
            "partner": {"id": partner.id, "name": partner.name, "organisation": partner.organisation,
                        "jurisdiction": partner.jurisdiction, "trusted": partner.trusted,
                        "policy_areas": list(partner.policy_areas or [])},
            **body}
