"""Telling people about decisions: the creator (outcome, reasons, how to appeal) and every
notifier of the case (users in the app, partners also by webhook).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from salingjaga.core.ids import new_id
from salingjaga.core.timeutil import utcnow
from salingjaga.moderation import actions as A
from salingjaga.moderation.cases import case_notices
from salingjaga.moderation.events import CaseNotice
from salingjaga.moderation.models import Case, Decision, Notification
from salingjaga.moderation.webhooks import enqueue
from salingjaga.partners.models import Partner
from salingjaga.policies.service import get_policy, restriction_territory

APPEAL_DAYS = 180


def notify(session: Session, recipient_type: str, recipient_id: str, kind: str,
           payload: dict[str, Any], decision: Decision | None, notice_id: str | None = None
           ) -> Notification:
    """Store one notification for an account, a user or a partner. Written with the
    decision's other rows at the next flush: nothing refers to it by key, and a flush of
    its own per notification cost a decision more than its INSERT."""
    n = Notification(id=new_id("ntf"), recipient_type=recipient_type, recipient_id=recipient_id,
                     kind=kind, decision_id=decision.id if decision else None, notice_id=notice_id,
                     payload=payload, created_at=utcnow())
    session.add(n)
    return n


def decision_outcome(decision: Decision) -> dict[str, Any]:
    """What every recipient is told about a decision (never who reported)."""
    policy = get_policy(decision.policy)
    out: dict[str, Any] = {"decision_id": decision.id, "action": decision.action, "policy": decision.policy,
           "policy_name": policy.name, "reasons": decision.facts, "legal_ground": decision.legal_ground,
           "statement_id": decision.statement_id, "decided_at": decision.decided_at.isoformat(),
           "automated": decision.automated_decision}
    if A.is_restriction(decision.action):
        # Where the restriction holds: worldwide for the terms of service, Indonesia for
        # Indonesian law and election rules (the statement of reasons says the same).
        out["applies_in"] = restriction_territory(decision.policy, decision.legal_ground).territory.as_dict()
    if decision.second_review:
        out["second_review"] = decision.second_review
    if decision.reverses_id:
        out["reverses_decision_id"] = decision.reverses_id
    return out


def creator_payload(decision: Decision) -> dict[str, Any]:
    """What the creator is told: the outcome, the reasons and how to appeal; never who
    reported (no notice, partner or reporter appears here)."""
    out = decision_outcome(decision)
    out.update({"content_id": decision.content_id, "account_id": decision.account_id})
    if A.is_restriction(decision.action) or decision.action == A.STRIKE:
        out["appeal"] = {
            "how": "Ajukan banding dalam 180 hari / Appeal within 180 days; a person who did not "
                   "take this decision will review it.",
            "endpoint": f"/api/v1/decisions/{decision.id}/appeals",
            "until": (decision.decided_at + timedelta(days=APPEAL_DAYS)).date().isoformat(),
        }
    return out


def notify_decision(session: Session, decision: Decision, case: Case | None,
                    kind: str = "decision", notices: Sequence[CaseNotice] | None = None) -> list[str]:
    """Tell the creator and every notifier of the case; returns webhook delivery ids.
    ``notices``: the case's notices when the caller has read them (else read here)."""
    deliveries: list[str] = []
    if decision.account_id and decision.action not in (A.NO_VIOLATION, A.LABEL_ELECTION_NOTICE):
        notify(session, "account", decision.account_id, f"creator.{kind}", creator_payload(decision), decision)
    if case is None or decision.kind == "account":
        return deliveries
    return notify_notifiers(session, decision, case, kind,
                            actioned=decision.action not in (A.NO_VIOLATION, A.UPHOLD), notices=notices)


def notify_notifiers(session: Session, decision: Decision, case: Case, kind: str, *,
                     actioned: bool, notices: Sequence[CaseNotice] | None = None) -> list[str]:
    """Tell every notifier of ``case`` (users in the app, partners also by webhook);
    ``notices``: the case's notices when the caller has read them (else read here)."""
    deliveries: list[str] = []
    partner_ids: dict[str, list[str]] = {}
    for notice in case_notices(session, case.id) if notices is None else notices:
        if notice.partner_id:
            partner_ids.setdefault(notice.partner_id, []).append(notice.id)
        else:
            payload = {"notice_id": notice.id, "status": notice.status, "decision": decision_outcome(decision),
                       "actioned": actioned}
            notify(session, "user", notice.reporter_user_id, f"notice.{kind}", payload, decision, notice.id)
    for pid in case.notify_partner_ids or []:
        partner_ids.setdefault(pid, [])
    for pid, notice_ids in partner_ids.items():
        partner = session.get(Partner, pid)
        if partner is None:
            continue
        payload = {"notice_ids": notice_ids, "case_id": case.id, "content_id": case.content_id,
                   "status": "decided", "decision": decision_outcome(decision),
                   "actioned": actioned}
        n = notify(session, "partner", pid, f"notice.{kind}", payload, decision,
                   notice_ids[0] if notice_ids else None)
        delivery = enqueue(session, partner, n)
        if delivery:
            deliveries.append(delivery)
    return deliveries
