"""Feature gates applied to real accounts: the facts the gate table tests (looked up in
the database), refused attempts on record, the case opened when an account keeps trying,
and the refusal counts for transparency reports. The gate table itself and its pure
evaluation are in ``gates``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salingjaga.audit.service import record
from salingjaga.content.models import Account, ContentItem
from salingjaga.content.service import get_account, suspended
from salingjaga.core.errors import Invalid
from salingjaga.core.ids import new_id
from salingjaga.core.timeutil import utcnow
from salingjaga.rules import calendar as cal
from salingjaga.rules.common import ACTOR, open_case
from salingjaga.rules.gates import GateDecision, evaluate, gate_table
from salingjaga.rules.models import GateEscalation, GateRefusal
from salingjaga.rules.psa_approvals import active_psa_approval


def account_facts(session: Session, account: Account, feature: str) -> frozenset[str]:
    """The facts the gate rules may test, looked up for one account and feature."""
    facts: set[str] = set()
    if suspended(account):
        facts.add("suspended")
    restricted = set(account.restricted_features or [])
    group = gate_table().features[feature].group
    if feature in restricted or group in restricted:
        facts.add("feature_restricted")
    if account.kind == "government" and active_psa_approval(session, account, cal.today(account.region_code)):
        facts.add("psa_approval")
    return frozenset(facts)


def decide_feature(session: Session, account: Account, feature: str) -> GateDecision:
    """Evaluate the gate without recording anything (used by ad review and the API)."""
    table = gate_table()
    if feature not in table.features:
        raise Invalid(f"unknown feature {feature!r}; known: {', '.join(table.features)}",
                      reason="rules.feature_unknown", params={"ref": feature})
    return evaluate(table, account.kind, feature, account_facts(session, account, feature))


def check_feature(session: Session, account_ref: str, feature: str, *, source: str = "gate") -> tuple[
        Account, GateDecision]:
    """May the account use the feature? A refusal is stored, and repeats open a case."""
    account = get_account(session, account_ref)
    decision = decide_feature(session, account, feature)
    if not decision.allowed:
        record_refusal(session, account, decision, source=source)
    return account, decision


def record_refusal(session: Session, account: Account, decision: GateDecision, *, source: str) -> GateRefusal:
    """Store one refused attempt and escalate when the account keeps trying."""
    row = GateRefusal(id=new_id("ref"), account_id=account.id, account_kind=account.kind,
                      feature=decision.feature, rule=decision.rule, source=source,
                      escalates=decision.escalate, at=utcnow())
    session.add(row)
    session.flush()
    if decision.escalate:
        maybe_escalate(session, account)
    return row


def maybe_escalate(session: Session, account: Account) -> GateEscalation | None:
    """Open a gpppa_restrictions case once the account has ``threshold`` escalating refusals
    within the window and since its last escalation (so one burst opens one case)."""
    esc = gate_table().escalation
    now = utcnow()
    since = now - timedelta(hours=esc.window_hours)
    last = session.scalar(select(func.max(GateEscalation.at)).where(GateEscalation.account_id == account.id))
    if last is not None and last > since:
        since = last
    count = session.scalar(
        select(func.count()).select_from(GateRefusal).where(
            GateRefusal.account_id == account.id, GateRefusal.escalates.is_(True), GateRefusal.at > since)
    ) or 0
    if count < esc.threshold:
        return None
    features = sorted(set(session.scalars(
        select(GateRefusal.feature).where(GateRefusal.account_id == account.id, GateRefusal.at > since))))
    reason = (f"GPPPA account {account.handle} ({account.kind}) tried refused features "
              f"{count} times within {esc.window_hours:g} h: {', '.join(features)}")
    case_id = _open_gate_case(session, account, esc.policy, reason)
    row = GateEscalation(id=new_id("esc"), account_id=account.id, refusals=count, case_id=case_id, at=now)
    session.add(row)
    session.flush()
    record(session, ACTOR, "rules.gate_escalated", "account", account.id,
           {"refusals": count, "features": features, "case_id": case_id, "policy": esc.policy})
    return row


def _open_gate_case(session: Session, account: Account, policy: str, reason: str) -> str | None:
    """A case about the account, anchored on its most recent content item (cases are about
    content); an account with nothing taken in yet gets the escalation recorded, no case."""
    latest = session.scalar(
        select(ContentItem.id).where(ContentItem.account_id == account.id)
        .order_by(ContentItem.posted_at.desc()).limit(1))
    if latest is None:
        return None
    return open_case(session, content_id=latest, policy=policy, source="rules", reason=reason,
                      actor=ACTOR, notify_partner_id=None)


def refusal_summary(session: Session, start: datetime, end: datetime) -> dict[str, Any]:
    """Refused attempts in [start, end) by feature, rule and account kind (transparency)."""
    base = select(GateRefusal).where(GateRefusal.at >= start, GateRefusal.at < end)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0

    def by(col: Any) -> dict[str, int]:
        rows = session.execute(
            select(col, func.count()).where(GateRefusal.at >= start, GateRefusal.at < end).group_by(col))
        return {str(k): int(v) for k, v in rows}

    accounts = session.scalar(
        select(func.count(func.distinct(GateRefusal.account_id))).where(
            GateRefusal.at >= start, GateRefusal.at < end)) or 0
    escalations = session.scalar(
        select(func.count()).select_from(GateEscalation).where(
            GateEscalation.at >= start, GateEscalation.at < end)) or 0
    return {"from": start, "to": end, "refusals": int(total), "accounts": int(accounts),
            "escalations": int(escalations), "by_feature": by(GateRefusal.feature),
            "by_rule": by(GateRefusal.rule), "by_account_kind": by(GateRefusal.account_kind)}
