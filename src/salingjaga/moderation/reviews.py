"""Second looks at a decision: the second review the rules of ``second_review.toml`` ask
for after some decisions, and appeals by the creator or a notifier. Both are cases decided
by a different human than the one who took the decision.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from salingjaga.audit.service import record
from salingjaga.auth.principal import Principal
from salingjaga.content.models import Account, ContentItem
from salingjaga.core.errors import Conflict, Forbidden, Invalid, NotFound
from salingjaga.core.ids import new_id
from salingjaga.core.timeutil import utcnow
from salingjaga.moderation import actions as A
from salingjaga.moderation.cases import case_notices, is_tight, policy_severity, settings_or_env
from salingjaga.moderation.events import CaseAppealed, CaseReversed, announce
from salingjaga.moderation.models import Appeal, Case, Decision
from salingjaga.moderation.notify import creator_payload, notify, notify_decision, notify_notifiers
from salingjaga.moderation.outcomes import (
    DecisionResult,
    apply_content,
    close_case,
    end_statement,
    get_decision,
    new_decision,
    restore_previous_state,
    statement_for,
)
from salingjaga.moderation.priority import compute_deadline, compute_priority
from salingjaga.moderation.second_review import load_rules, reasons_for
from salingjaga.policies.service import get_policy


def open_second_review(session: Session, case: Case, decisions: list[Decision], item: ContentItem,
                       account: Account | None, who: Principal) -> Case | None:
    """Queue a second review when the rule of ``second_review.toml`` asks for one: the
    decisions stay applied and are marked pending until a different human confirms them."""
    rules = load_rules()
    why = reasons_for(rules, [d.action for d in decisions], item.views,
                      bool(account is not None and account.gpppa))
    if not why:
        return None
    for d in decisions:
        if d.action in rules.actions:
            d.second_review = "pending"
    cfg = settings_or_env(None)
    now = utcnow()
    main = decisions[0]
    review = Case(
        id=new_id("case"), content_id=item.id, open_content_id=None, account_id=item.account_id,
        kind="second_review", status="open", level=rules.level, priority=case.priority,
        deadline=compute_deadline(now, case.tight, cfg.deadline_hours_default, cfg.deadline_hours_tight),
        policy=main.policy, source=case.source,
        sources=[{"source": case.source, "policy": main.policy, "reason": "second review: " + "; ".join(why)}],
        reasons=why, signal_refs=list(case.signal_refs or []), notify_partner_ids=[], tight=case.tight,
        excluded_user_id=who.user_id, review_of_decision_id=main.id, created_at=now,
    )
    session.add(review)
    session.flush()
    record(session, who, "case.second_review_opened", "case", review.id,
           {"decision_id": main.id, "case_id": case.id, "level": rules.level, "reasons": why,
            "decisions": [d.id for d in decisions if d.second_review == "pending"]})
    return review


def pending_review_of(session: Session, original_case_id: str | None) -> list[Decision]:
    """The decisions of a case still waiting for their second review, oldest first."""
    if original_case_id is None:
        return []
    return list(session.scalars(select(Decision).where(
        Decision.case_id == original_case_id, Decision.second_review == "pending")
        .order_by(Decision.decided_at, Decision.id)))


def decide_second_review(session: Session, case: Case, who: Principal, *, action: str,
                         facts: str) -> DecisionResult:
    """Confirm (``uphold``) or overturn (``reverse``) the decisions a second review holds."""
    original = get_decision(session, case.review_of_decision_id or "")
    if who.user_id in (original.decided_by, case.excluded_user_id):
        raise Forbidden("the moderator who took a decision may not give its second review",
                        reason="review.own_decision")
    if action not in A.APPEAL_OUTCOMES:
        raise Invalid(f"a second review confirms (uphold) or overturns (reverse) the decision; got {action!r}",
                      reason="review.action_unknown")
    if not facts.strip():
        raise Invalid("facts: explain why the decision is confirmed or overturned", reason="decision.facts_missing")
    reviewed = pending_review_of(session, original.case_id)
    if not reviewed:
        raise Conflict(f"decision {original.id} has nothing left to review (an appeal decided it)",
                       reason="review.nothing_left")
    item = session.get(ContentItem, case.content_id)
    assert item is not None
    account = session.get(Account, item.account_id)
    common = {"case_id": case.id, "content_id": item.id, "account_id": item.account_id,
              "decided_by": who.user_id, "automated_detection": original.automated_detection,
              "automated_decision": False, "source": original.source, "policy": original.policy}
    if action == A.UPHOLD:
        decision = new_decision(session, kind="review", action=A.UPHOLD,
                                legal_ground=original.legal_ground, facts=facts, **common)
        for d in reviewed:
            d.second_review = "confirmed"
    else:
        decision = new_decision(session, kind="review", action=A.REVERSE, legal_ground=None,
                                facts=facts, reverses_id=original.id, **common)
        for d in reversed(reviewed):
            restore_previous_state(session, d, item, account, who,
                                   f"second review {case.id} overturned decision {d.id}")
            d.second_review = "overturned"
            d.reversed_by_id = decision.id
            end_statement(session, d, decision.decided_at)
    decision.details = {"second_review_of": [d.id for d in reviewed],
                        "outcome": "confirmed" if action == A.UPHOLD else "overturned"}
    case.status = "decided"
    case.decided_at = decision.decided_at
    case.lease_owner = None
    case.lease_expires_at = None
    first_case = session.get(Case, original.case_id) if original.case_id else None
    if first_case is not None and action == A.REVERSE:
        announce(session, CaseReversed(case_id=first_case.id, reversed_decision_ids=tuple(d.id for d in reviewed),
                                       decision_id=decision.id, action=decision.action))
    record(session, who, "second_review.decided", "decision", decision.id,
           {"case_id": case.id, "outcome": decision.details["outcome"],
            "decisions": decision.details["second_review_of"]})
    result = DecisionResult(decisions=[decision])
    if account is not None:
        if action == A.UPHOLD:
            for d in reviewed:
                notify(session, "account", account.id, "creator.second_review",
                       creator_payload(d), d)
        else:
            payload = creator_payload(decision)
            payload["reversed_decision_ids"] = [d.id for d in reviewed]
            notify(session, "account", account.id, "creator.second_review", payload, decision)
    if first_case is not None:
        result.deliveries += notify_notifiers(session, decision, first_case, "second_review",
                                              actioned=action == A.UPHOLD)
    return result


def supersede_second_review(session: Session, original: Decision, by: Decision) -> None:
    """An appeal reversed or changed a decision still waiting for its second review: the
    appeal's outcome is final, and the second review closes when nothing is left to review."""
    if original.second_review != "pending":
        return
    original.second_review = "superseded"
    if pending_review_of(session, original.case_id):
        return
    ids = list(session.scalars(select(Decision.id).where(Decision.case_id == original.case_id)))
    for review in session.scalars(select(Case).where(
            Case.kind == "second_review", Case.review_of_decision_id.in_(ids), Case.status != "decided")):
        review.status = "decided"
        review.decided_at = by.decided_at
        review.lease_owner = None
        review.lease_expires_at = None
        record(session, "system:moderation", "case.superseded", "case", review.id,
               {"by_decision": by.id, "appeal_id": by.appeal_id})


def create_appeal(session: Session, decision_id: str, who: Principal, reason: str) -> Appeal:
    """Open an appeal: the creator (through a service key) against a restriction or strike,
    or a notifier whose notice led to no action. A different human will decide it."""
    decision = get_decision(session, decision_id)
    if decision.kind == "appeal" or decision.reverses_id is not None:
        raise Invalid("an appeal outcome cannot itself be appealed", reason="appeal.of_appeal")
    if decision.kind == "review":
        raise Invalid("a second review's outcome is not appealed; appeal the decision it reviewed",
                      reason="appeal.of_review")
    if decision.reversed_by_id is not None:
        raise Conflict("this decision was already reversed", reason="appeal.already_reversed")
    if who.role in ("service", "admin"):
        appellant = "creator"
        if decision.action == A.NO_VIOLATION:
            raise Invalid("nothing was done to the content; there is nothing for the creator to appeal",
                          reason="appeal.nothing_done")
    else:
        appellant = "notifier"
        notices = case_notices(session, decision.case_id) if decision.case_id else []
        mine = [n for n in notices if (who.partner_id and n.partner_id == who.partner_id)
                or n.reporter_user_id == who.user_id]
        if not mine:
            raise NotFound(f"decision {decision_id} not found", reason="decision.unknown", params={"ref": decision_id})
        if decision.action != A.NO_VIOLATION:
            raise Invalid("a notifier may appeal only when nothing was done", reason="appeal.notifier_after_action")
    if session.scalar(select(Appeal.id).where(Appeal.decision_id == decision.id, Appeal.status == "open")):
        raise Conflict("an appeal against this decision is already open", reason="appeal.already_open")
    item = session.get(ContentItem, decision.content_id) if decision.content_id else None
    if item is None:
        raise Invalid("the decision concerns no content item", reason="appeal.no_content")
    original = session.get(Case, decision.case_id) if decision.case_id else None
    source = "user_report" if appellant == "creator" else (original.source if original else "partner")
    cfg = settings_or_env(None)
    now = utcnow()
    tight = is_tight(item)
    appeal = Appeal(id=new_id("apl"), decision_id=decision.id, appellant=appellant,
                    appellant_partner_id=who.partner_id if appellant == "notifier" else None,
                    appellant_user_id=who.user_id, reason=reason[:5000], status="open", created_at=now)
    session.add(appeal)
    case = Case(
        id=new_id("case"), content_id=item.id, open_content_id=None, account_id=item.account_id,
        kind="appeal", status="open", level="moderator",
        priority=compute_priority(source, policy_severity(decision.policy), item.views, item.shares, tight),
        deadline=compute_deadline(now, tight, cfg.deadline_hours_default, cfg.deadline_hours_tight),
        policy=decision.policy, source=source,
        sources=[{"source": source, "policy": decision.policy, "reason": f"appeal by {appellant}"}],
        reasons=[reason[:500]], signal_refs=[], notify_partner_ids=[], tight=tight,
        appeal_id=appeal.id, excluded_user_id=decision.decided_by, created_at=now,
    )
    session.add(case)
    session.flush()
    appeal.case_id = case.id
    if decision.case_id:
        announce(session, CaseAppealed(case_id=decision.case_id, appeal_case_id=case.id, appeal_id=appeal.id,
                                       decision_id=decision.id, content_id=item.id))
    record(session, who, "appeal.created", "appeal", appeal.id,
           {"decision_id": decision.id, "appellant": appellant, "case_id": case.id})
    return appeal


def decide_appeal(session: Session, case: Case, who: Principal, *, action: str, policy: str,
                  facts: str, legal_ground: str | None) -> DecisionResult:
    """Uphold, reverse or change the decision an appeal case is about; a different human
    from the one who took it decides."""
    appeal = session.get(Appeal, case.appeal_id) if case.appeal_id else None
    if appeal is None:
        raise NotFound(f"appeal of case {case.id} not found", reason="appeal.unknown", params={"ref": case.id})
    original = get_decision(session, appeal.decision_id)
    if who.user_id == original.decided_by or who.user_id == case.excluded_user_id:
        raise Forbidden("the moderator who took a decision may not decide its appeal", reason="appeal.own_decision")
    if action not in (*A.APPEAL_OUTCOMES, *A.CONTENT_ACTIONS):
        raise Invalid(f"an appeal is decided with uphold, reverse or a content action; got {action!r}",
                      reason="appeal.action_unknown")
    if not facts.strip():
        raise Invalid("facts: explain the outcome of the appeal", reason="decision.facts_missing")
    get_policy(policy)
    item = session.get(ContentItem, case.content_id)
    assert item is not None
    account = session.get(Account, item.account_id)
    result = DecisionResult()
    common = {"case_id": case.id, "content_id": item.id, "account_id": item.account_id,
              "decided_by": who.user_id, "automated_detection": original.automated_detection,
              "automated_decision": False, "source": original.source, "appeal_id": appeal.id}
    restrictive = A.is_restriction(original.action) or original.action == A.STRIKE

    def restore() -> None:
        restore_previous_state(session, original, item, account, who,
                               f"appeal {appeal.id} reversed decision {original.id}")

    if action == A.UPHOLD:
        decision = new_decision(session, kind="appeal", action=A.UPHOLD, policy=original.policy,
                                legal_ground=original.legal_ground, facts=facts, **common)
        appeal.status = "upheld"
    elif action == A.REVERSE or (action == A.NO_VIOLATION and restrictive):
        if not restrictive:
            raise Invalid("nothing was done; to act on a notifier's appeal choose a content action",
                          reason="appeal.needs_content_action")
        restore()
        decision = new_decision(session, kind="appeal", action=A.REVERSE, policy=original.policy,
                                legal_ground=None, facts=facts, reverses_id=original.id, **common)
        original.reversed_by_id = decision.id
        appeal.status = "reversed"
    else:
        if restrictive:
            restore()
        before = apply_content(session, item, action, who, f"appeal {appeal.id}: {action}")
        decision = new_decision(session, kind="content", action=action, policy=policy,
                                legal_ground=legal_ground, facts=facts,
                                reverses_id=original.id if restrictive else None, **common)
        decision.previous_state = before
        if restrictive:
            original.reversed_by_id = decision.id
        statement_for(session, decision, item, account)
        appeal.status = "changed"
    result.decisions.append(decision)
    if original.reversed_by_id == decision.id and original.case_id:
        announce(session, CaseReversed(case_id=original.case_id, reversed_decision_ids=(original.id,),
                                       decision_id=decision.id, action=decision.action))
    if decision.action != A.UPHOLD:
        supersede_second_review(session, original, decision)
    appeal.outcome_decision_id = decision.id
    appeal.decided_by = who.user_id
    appeal.decided_at = decision.decided_at
    # An upheld appeal leaves the original action in force: that is the notices' outcome
    # (feedback would otherwise count the notice as unfounded).
    close_case(session, case, decision, standing=original if decision.action == A.UPHOLD else None)
    record(session, who, "appeal.decided", "appeal", appeal.id,
           {"outcome": appeal.status, "decision_id": decision.id, "original_decision_id": original.id,
            "statement_id": decision.statement_id})
    result.deliveries += notify_decision(session, decision, case, kind="appeal_decided")
    return result
