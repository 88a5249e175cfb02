"""What a decision leaves behind, shared by every kind of decision: the decision row, its
statement of reasons (and the console's preview of it), the change to the content or
account and its undoing, and the closed case with its notices.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from salingjaga.auth.principal import Principal
from salingjaga.content.models import Account, ContentItem
from salingjaga.content.service import get_content, restore_content_state, set_account_state, set_content_state
from salingjaga.core.errors import Invalid, NotFound
from salingjaga.core.ids import new_id
from salingjaga.core.timeutil import utcnow
from salingjaga.moderation import actions as A
from salingjaga.moderation.events import CaseDecided, CaseNotice, announce
from salingjaga.moderation.ladder import escalate
from salingjaga.moderation.models import Case, Decision, Statement
from salingjaga.moderation.statements import StatementInput, build_statement, validate_statement
from salingjaga.policies.service import get_policy, restriction_territory


@dataclass
class DecisionResult:
    """What deciding a case produced: decisions, and webhook deliveries to send."""

    decisions: list[Decision] = field(default_factory=list)
    deliveries: list[str] = field(default_factory=list)

    @property
    def main(self) -> Decision:
        """The decision about the content (or the appeal outcome)."""
        return self.decisions[0]


def statement_input(*, puid: str, action: str, policy_code: str, facts: str, source: str,
                    item: ContentItem | None, account: Account | None, applied: datetime,
                    automated_detection: bool, automated_decision: bool,
                    legal_ground: str | None, end: datetime | None = None) -> StatementInput:
    """What a statement is built from: one place, so the console's preview and the stored
    statement cannot drift apart."""
    policy = get_policy(policy_code)
    posted = item.posted_at if item is not None else (account.created_at if account else applied)
    return StatementInput(
        puid=puid, action=action, policy_name=policy.name.get("en", policy.code),
        dsa_category=policy.dsa_category, dsa_keywords=policy.dsa_keywords, facts=facts,
        source=source, content_kind=item.kind if item is not None else "other",
        content_date=posted.date(), application_date=applied.date(),
        automated_detection=automated_detection,
        automated_decision="AUTOMATED_DECISION_FULLY" if automated_decision
        else "AUTOMATED_DECISION_NOT_AUTOMATED",
        legal_ground=legal_ground,
        synthetic=bool(item is not None and (policy_code == "synthetic_media"
                                             or action == A.LABEL_AI_GENERATED)),
        account_business=(account.kind == "business") if account is not None and account.kind in
        ("business", "personal") else None,
        end_date=end.date() if end else None,
        content_language=item.language if item is not None else None,
        dsa_specification=policy.dsa_specification,
        applies_in=restriction_territory(policy_code, legal_ground).territory,
    )


def statement_for(session: Session, decision: Decision, item: ContentItem | None,
                  account: Account | None, end: datetime | None = None) -> Statement | None:
    """Write the statement of reasons of a restriction (None for other actions)."""
    if not A.is_restriction(decision.action):
        return None
    statement_id = decision.statement_id or new_id("sor")
    data = build_statement(statement_input(
        puid=statement_id, action=decision.action, policy_code=decision.policy, facts=decision.facts,
        source=decision.source, item=item, account=account, applied=decision.decided_at,
        automated_detection=decision.automated_detection,
        automated_decision=decision.automated_decision, legal_ground=decision.legal_ground, end=end))
    errors = validate_statement(data)
    if errors:  # a bug, not a user error: never store a statement the database would refuse
        raise RuntimeError(f"statement of reasons fails DSA rules: {errors}")
    st = Statement(id=statement_id, decision_id=decision.id, data=data, created_at=decision.decided_at)
    session.add(st)
    if decision.statement_id != st.id:
        decision.statement_id = st.id
    return st


def statement_id_for(action: str) -> str | None:
    """The id the statement of reasons of a decision taking ``action`` will have (None for
    actions without one): given to ``new_decision`` with the decision's other columns, the
    decision row is written once instead of written and then updated."""
    return new_id("sor") if A.is_restriction(action) else None


def detected_automatically(case: Case) -> bool:
    """Whether detection (a proactive source or attached signals) brought the case in: the
    statement of reasons must say so."""
    return any(s.get("source") == "proactive" for s in case.sources) or bool(case.signal_refs)


def preview_statement(session: Session, case: Case, *, action: str, policy: str, facts: str,
                      legal_ground: str | None = None) -> tuple[dict[str, Any], list[str]] | None:
    """The statement of reasons deciding ``case`` with ``action`` would write now, and what
    the DSA rules would find wrong with it (empty facts are reported, not refused); None
    when the action writes no statement. Nothing is stored. Raises NotFound for an unknown
    policy, Invalid for an unknown action."""
    if action not in (*A.ALL_ACTIONS, *A.APPEAL_OUTCOMES):
        raise Invalid(f"unknown action {action!r}", reason="decision.action_unknown")
    if not A.is_restriction(action):  # the test statement_for applies
        return None
    item = get_content(session, case.content_id)
    account = session.get(Account, item.account_id)
    data = build_statement(statement_input(
        puid="preview", action=action, policy_code=policy, facts=facts or "…", source=case.source,
        item=item, account=account, applied=utcnow(),
        automated_detection=detected_automatically(case), automated_decision=False,
        legal_ground=legal_ground or None))
    return data, validate_statement(data) if facts else []


def apply_content(session: Session, item: ContentItem, action: str, actor: Principal | str,
                  reason: str) -> dict[str, Any]:
    """Carry out a content action; returns the item's previous state."""
    change = A.content_change(action)
    return set_content_state(session, item, actor=actor, reason=reason, **change.as_kwargs())  # type: ignore[arg-type]


def apply_account(session: Session, account: Account, requested: str, actor: Principal | str,
                  reason: str, feature: str | None, suspend_days: int | None
                  ) -> tuple[str, dict[str, Any], dict[str, Any], datetime | None]:
    """Carry out an account action as the strike ladder escalates it; returns the action
    applied, the account's previous state, the details to keep and when a suspension ends."""
    step = escalate(account.strikes, requested, feature=feature, suspend_days=suspend_days)
    end: datetime | None = None
    kwargs: dict[str, Any] = {"strikes": step.strikes_after}
    if step.action == A.RESTRICT_FEATURE and step.feature:
        feats = list(account.restricted_features or [])
        if step.feature not in feats:
            feats.append(step.feature)
        kwargs["restricted_features"] = feats
    elif step.action == A.SUSPEND and step.suspend_days:
        end = utcnow() + timedelta(days=step.suspend_days)
        current = account.suspended_until
        kwargs["suspended_until"] = max(end, current) if current else end
    elif step.action == A.BAN:
        kwargs["banned"] = True
    before = set_account_state(session, account, actor=actor, reason=reason, **kwargs)
    details = {"requested": requested, "escalated": step.escalated, "strikes_after": step.strikes_after,
               "feature": step.feature, "suspend_days": step.suspend_days, "summary": step.describe()}
    return step.action, before, details, end


def new_decision(session: Session, **kw: Any) -> Decision:
    """Add a decision row, decided now (``details`` and ``previous_state`` empty unless
    given: a column known now is better written with the row than updated after it)."""
    kw.setdefault("details", {})
    kw.setdefault("previous_state", {})
    d = Decision(id=new_id("dec"), decided_at=utcnow(), **kw)
    session.add(d)
    session.flush()
    return d


def end_statement(session: Session, decision: Decision, end: datetime) -> None:
    """An overturned restriction's statement of reasons gets the day it was lifted."""
    if not decision.statement_id:
        return
    st = session.get(Statement, decision.statement_id)
    if st is None:
        return
    data = dict(st.data)
    for kind, name in (("decision_visibility", "end_date_visibility_restriction"),
                       ("decision_provision", "end_date_service_restriction"),
                       ("decision_account", "end_date_account_restriction"),
                       ("decision_monetary", "end_date_monetary_restriction")):
        if data.get(kind):
            data[name] = end.date().isoformat()
    if not validate_statement(data):
        st.data = data


def restore_previous_state(session: Session, d: Decision, item: ContentItem, account: Account | None,
                           who: Principal, reason: str) -> None:
    """Put the content or account back as it was before ``d``."""
    if d.kind == "account" and account is not None:
        set_account_state(session, account, actor=who, reason=reason,
                          strikes=d.previous_state.get("strikes", account.strikes),
                          restricted_features=d.previous_state.get("restricted_features", []),
                          suspended_until=_parse_dt(d.previous_state.get("suspended_until")),
                          banned=d.previous_state.get("banned", False))
    elif d.previous_state:
        restore_content_state(session, item, d.previous_state, actor=who, reason=reason)


def close_case(session: Session, case: Case, decision: Decision, *, standing: Decision | None = None,
               notices: Sequence[CaseNotice] | None = None) -> None:
    """Mark the case decided by ``decision`` and announce it (``CaseDecided``: the notices
    follow); ``standing`` is the decision that stays in force when it is not ``decision``
    (an upheld appeal); ``notices`` the case's notices when the caller has read them."""
    now = decision.decided_at
    case.status = "decided"
    case.decided_at = now
    case.open_content_id = None
    case.lease_owner = None
    case.lease_expires_at = None
    in_force = standing or decision
    announce(session, CaseDecided(case_id=case.id, decision_id=decision.id, action=decision.action,
                                  decided_at=now, standing_decision_id=in_force.id,
                                  standing_action=in_force.action, notices=notices))


def get_decision(session: Session, decision_id: str) -> Decision:
    """A decision, or 404."""
    d = session.get(Decision, decision_id)
    if d is None:
        raise NotFound(f"decision {decision_id} not found", reason="decision.unknown", params={"ref": decision_id})
    return d


def get_statement(session: Session, statement_id: str) -> Statement:
    """A statement of reasons, or 404."""
    st = session.get(Statement, statement_id)
    if st is None:
        raise NotFound(f"statement {statement_id} not found", reason="statement.unknown", params={"ref": statement_id})
    return st


def _parse_dt(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value)
