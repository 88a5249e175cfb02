"""Deciding cases: a moderator's decision on the case they hold (review cases here;
appeals and second reviews in ``reviews``), and automated decisions taken by rules.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from salingjaga.audit.service import record
from salingjaga.auth.principal import Principal
from salingjaga.content.models import Account, ContentItem
from salingjaga.content.service import get_content
from salingjaga.core.errors import Invalid
from salingjaga.moderation import actions as A
from salingjaga.moderation.cases import case_notices, get_case
from salingjaga.moderation.models import Case, Decision
from salingjaga.moderation.notify import notify_decision
from salingjaga.moderation.outcomes import (
    DecisionResult,
    apply_account,
    apply_content,
    close_case,
    detected_automatically,
    new_decision,
    statement_for,
    statement_id_for,
)
from salingjaga.moderation.queue import require_lease
from salingjaga.moderation.reviews import decide_appeal, decide_second_review, open_second_review
from salingjaga.policies.service import get_policy


def decide(
    session: Session, case_id: str, who: Principal, *, action: str, policy: str, facts: str,
    legal_ground: str | None = None, account_action: str | None = None,
    feature: str | None = None, suspend_days: int | None = None,
) -> DecisionResult:
    """A human decision on a leased case: apply it, write the statement of reasons, close
    the case, and notify the creator and every notifier."""
    case = get_case(session, case_id)
    require_lease(case, who)
    if case.kind == "appeal":
        return decide_appeal(session, case, who, action=action, policy=policy, facts=facts,
                             legal_ground=legal_ground)
    if case.kind == "second_review":
        return decide_second_review(session, case, who, action=action, facts=facts)
    try:
        A.check_action(action)
        if account_action is not None:
            A.check_action(account_action, A.ACCOUNT_ACTIONS)
    except ValueError as exc:
        raise Invalid(str(exc), reason="decision.action_unknown") from exc
    get_policy(policy)
    if not facts.strip():
        raise Invalid("facts: say what you saw and why it breaks (or does not break) the policy",
                      reason="decision.facts_missing")
    if legal_ground and not A.is_restriction(action) and not account_action:
        raise Invalid("a legal ground only applies to a restriction",
                      reason="decision.legal_ground_without_restriction")
    item = session.get(ContentItem, case.content_id)
    assert item is not None
    account = session.get(Account, item.account_id)
    result = DecisionResult()
    automated_detection = detected_automatically(case)
    common = {"case_id": case.id, "content_id": item.id, "account_id": item.account_id,
              "policy": policy, "legal_ground": legal_ground, "decided_by": who.user_id,
              "automated_detection": automated_detection, "automated_decision": False,
              "source": case.source}
    if A.is_content_action(action):
        before = apply_content(session, item, action, who, f"case {case.id}: {action}")
        decision = new_decision(session, kind="content", action=action, facts=facts, previous_state=before,
                                statement_id=statement_id_for(action), **common)
        statement_for(session, decision, item, account)
        result.decisions.append(decision)
    requested = account_action or (action if A.is_account_action(action) else None)
    if requested is not None and account is not None:
        applied, before_acc, details, end = apply_account(
            session, account, requested, who, f"case {case.id}: {requested}", feature, suspend_days)
        acc_facts = f"{facts.strip()} Account action: {details['summary']}."
        acc_decision = new_decision(session, kind="account", action=applied, facts=acc_facts,
                                    previous_state=before_acc, details=details,
                                    statement_id=statement_id_for(applied), **common)
        statement_for(session, acc_decision, item, account, end)
        result.decisions.append(acc_decision)
    main = result.main
    # Read once: the notices follow the case (``CaseDecided``) and their notifiers are told,
    # both from these objects (a notifier is told the status the notice has just taken).
    notices = case_notices(session, case.id)
    close_case(session, case, main, notices=notices)
    review = open_second_review(session, case, result.decisions, item, account, who)
    record(session, who, "decision.made", "decision", main.id,
           {"case_id": case.id, "action": main.action, "policy": policy,
            "statement_id": main.statement_id,
            "account_decision": result.decisions[1].id if len(result.decisions) > 1 else None,
            "second_review_case": review.id if review is not None else None})
    for d in result.decisions:
        result.deliveries += notify_decision(session, d, case, notices=notices)
    return result


def apply_automated_action(
    session: Session, *, content_id: str, action: str, policy: str, facts: str, rule: str,
    shadow: bool = False,
) -> Decision | None:
    """An automated decision (exact hash match, awaiting fact-check label...): applied,
    explained in a statement of reasons and notified to the creator. With ``shadow`` only
    the audit event ``decision.shadow`` is written. The same content, action and rule twice
    make one decision."""
    try:
        A.check_action(action, A.CONTENT_ACTIONS)
    except ValueError as exc:
        raise Invalid(str(exc), reason="decision.action_unknown") from exc
    get_policy(policy)
    item = get_content(session, content_id)
    actor = f"system:rule:{rule}"[:80]
    if shadow:
        record(session, actor, "decision.shadow", "content", item.id,
               {"action": action, "policy": policy, "rule": rule, "facts": facts[:1000]})
        return None
    existing = session.scalar(select(Decision).where(
        Decision.content_id == item.id, Decision.action == action, Decision.rule == rule,
        Decision.reversed_by_id.is_(None)))
    if existing is not None:
        return existing
    open_case_row = session.scalar(select(Case).where(Case.open_content_id == item.id))
    before = apply_content(session, item, action, actor, f"rule {rule}: {action}")
    decision = new_decision(
        session, case_id=open_case_row.id if open_case_row else None, content_id=item.id,
        account_id=item.account_id, kind="content", action=action, policy=policy,
        legal_ground=None, facts=facts, decided_by=None, automated_detection=True,
        automated_decision=True, source="proactive", rule=rule[:200])
    decision.previous_state = before
    statement_for(session, decision, item, session.get(Account, item.account_id))
    record(session, actor, "decision.automated", "decision", decision.id,
           {"content_id": item.id, "action": action, "policy": policy, "rule": rule,
            "statement_id": decision.statement_id})
    notify_decision(session, decision, None)
    return decision
