"""The review queue, cases, decisions, statements of reasons and appeals."""

from __future__ import annotations

from typing import Any

from fastapi import BackgroundTasks, Depends, Query, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from salingjaga.auth.deps import get_database, get_session, get_settings, require
from salingjaga.auth.principal import Principal
from salingjaga.auth.roles import PARTNER_ROLES
from salingjaga.content.models import Account, ContentItem
from salingjaga.core.db import Database
from salingjaga.core.errors import Forbidden, Invalid
from salingjaga.core.routing import Router
from salingjaga.core.settings import Settings
from salingjaga.moderation.cases import case_notices, case_signals, get_case
from salingjaga.moderation.claim_statement import claim_committed
from salingjaga.moderation.decisions import decide
from salingjaga.moderation.models import Appeal, Case, Decision, Notification
from salingjaga.moderation.outcomes import get_decision, get_statement
from salingjaga.moderation.queue import escalate_case, hold_case, queue_stats, release, unhold_case
from salingjaga.moderation.reviews import create_appeal
from salingjaga.moderation.schemas import (
    AppealIn,
    AppealOut,
    CaseDetail,
    CaseOut,
    ClaimOut,
    DecisionCreated,
    DecisionIn,
    DecisionOut,
    NoteIn,
    NotificationOut,
    QueueStats,
    StatementOut,
)
from salingjaga.moderation.webhooks import deliver_quietly

router = Router(prefix="/api/v1", tags=["moderation"])


def decision_out(d: Decision) -> dict[str, Any]:
    """The API shape of a decision."""
    return {
        "id": d.id, "case_id": d.case_id, "content_id": d.content_id, "account_id": d.account_id,
        "kind": d.kind, "action": d.action, "policy": d.policy, "legal_ground": d.legal_ground,
        "facts": d.facts, "decided_by": d.decided_by, "automated_detection": d.automated_detection,
        "automated_decision": d.automated_decision, "source": d.source, "rule": d.rule,
        "details": d.details, "statement_id": d.statement_id, "reverses_id": d.reverses_id,
        "reversed_by_id": d.reversed_by_id, "appeal_id": d.appeal_id, "decided_at": d.decided_at,
        "second_review": d.second_review,
    }


def case_out(c: Case) -> dict[str, Any]:
    """The API shape of a case (without its details)."""
    return {
        "id": c.id, "kind": c.kind, "status": c.status, "level": c.level, "priority": c.priority,
        "deadline": c.deadline, "content_id": c.content_id, "account_id": c.account_id,
        "policy": c.policy, "source": c.source, "sources": c.sources, "tight": c.tight,
        "lease_owner": c.lease_owner, "lease_expires_at": c.lease_expires_at,
        "hold_reason": c.hold_reason, "escalation_note": c.escalation_note, "appeal_id": c.appeal_id,
        "review_of_decision_id": c.review_of_decision_id,
        "created_at": c.created_at, "decided_at": c.decided_at,
    }


def _case_detail(session: Session, case: Case) -> dict[str, Any]:
    from salingjaga.content.api import account_out, content_out

    item = session.get(ContentItem, case.content_id)
    account = session.get(Account, case.account_id) if case.account_id else None
    history: list[Decision] = list(session.scalars(
        select(Decision).where(Decision.account_id == case.account_id)
        .order_by(Decision.decided_at.desc()).limit(50))) if case.account_id else []
    out = case_out(case)
    out.update({
        "content": content_out(item) if item else None,
        "account": account_out(account) if account else None,
        "account_history": [decision_out(d) for d in history],
        "notices": [{"id": n.id, "partner_id": n.partner_id, "source": n.source, "policy": n.policy,
                     "legal_ground": n.legal_ground, "explanation": n.explanation, "region": n.region,
                     "election": n.election, "received_at": n.received_at, "status": n.status}
                    for n in case_notices(session, case.id)],
        "signals": case_signals(session, case.content_id),
        "signal_refs": case.signal_refs,
        "decisions": [decision_out(d) for d in session.scalars(
            select(Decision).where(Decision.case_id == case.id).order_by(Decision.decided_at))],
    })
    if case.appeal_id:
        appeal = session.get(Appeal, case.appeal_id)
        if appeal is not None:
            original = session.get(Decision, appeal.decision_id)
            out["appeal"] = {"id": appeal.id, "appellant": appeal.appellant, "reason": appeal.reason,
                             "status": appeal.status,
                             "original_decision": decision_out(original) if original else None}
    return out


def claim_out(c: Case) -> dict[str, Any]:
    """The answer to a claim: the case as ``case_out`` gives it (id, kind, level, priority,
    deadline, policy, sources, the lease...) and ``case_url``, where its content, notices,
    signals and account history are read."""
    out = case_out(c)
    out["case_url"] = f"/api/v1/cases/{c.id}"
    return out


@router.post("/queue/claim", response_model=ClaimOut | CaseDetail, response_model_exclude_unset=True,
             responses={204: {"description": "nothing is waiting"}})
def post_claim(
    full: bool = Query(False, description="answer with the whole case, as GET /api/v1/cases/{id} does"),
    db: Database = Depends(get_database),
    settings: Settings = Depends(get_settings),
    who: Principal = Depends(require("queue.claim")),
) -> Any:
    """Lease the most urgent waiting case to the caller (204 when nothing waits).

    The answer is the case without its details, plus ``case_url``: assembling the details
    (content, notices, signals, account history: seven more queries) cost several times the
    claim itself, and a client that claims usually opens the case page next anyway. With
    ``full=true`` the answer is the whole case, read after the lease is committed. The lease
    commits on its own (``claim_committed``: one statement on PostgreSQL in deferred audit
    mode), before the answer is sent.
    """
    case = claim_committed(db, who, settings)
    if case is None:
        return Response(status_code=204)
    if not full:
        return claim_out(case)
    with db.session() as session:
        return _case_detail(session, case)


@router.get("/queue/stats", response_model=QueueStats)
def get_queue_stats(
    session: Session = Depends(get_session),
    _: Principal = Depends(require("queue.stats")),
) -> dict[str, Any]:
    """Waiting cases by status and level, and how many are overdue."""
    return queue_stats(session)


@router.get("/cases/{case_id}", response_model=CaseDetail, response_model_exclude_unset=True)
def get_case_detail(
    case_id: str,
    session: Session = Depends(get_session),
    _: Principal = Depends(require("cases.read")),
) -> dict[str, Any]:
    """A case with its content, account history, notices and detection signals."""
    return _case_detail(session, get_case(session, case_id))


@router.post("/cases/{case_id}/decisions", status_code=201, response_model=DecisionCreated,
             response_model_exclude_unset=True)
def post_decision(
    case_id: str,
    body: DecisionIn,
    background: BackgroundTasks,
    request: Request,
    session: Session = Depends(get_session),
    settings: Settings = Depends(get_settings),
    who: Principal = Depends(require("cases.decide")),
) -> dict[str, Any]:
    """Decide a case you hold: the decision, its statement of reasons, and notifications."""
    result = decide(session, case_id, who, action=body.action, policy=body.policy, facts=body.facts,
                    legal_ground=body.legal_ground, account_action=body.account_action,
                    feature=body.feature, suspend_days=body.suspend_days)
    session.commit()
    background.add_task(deliver_quietly, request.app.state.db, settings, result.deliveries)
    out = decision_out(result.main)
    if len(result.decisions) > 1:
        out["account_decision"] = decision_out(result.decisions[1])
    return out


@router.post("/cases/{case_id}/release", response_model=CaseOut)
def post_release(case_id: str, session: Session = Depends(get_session),
                 who: Principal = Depends(require("cases.decide"))) -> dict[str, Any]:
    """Give a case back to the queue."""
    return case_out(release(session, case_id, who))


@router.post("/cases/{case_id}/escalate", response_model=CaseOut)
def post_escalate(case_id: str, body: NoteIn, session: Session = Depends(get_session),
                  who: Principal = Depends(require("cases.decide"))) -> dict[str, Any]:
    """Send a case to the next level (senior moderators, then policy leads)."""
    return case_out(escalate_case(session, case_id, who, body.note))


@router.post("/cases/{case_id}/hold", response_model=CaseOut)
def post_hold(case_id: str, body: NoteIn, session: Session = Depends(get_session),
              who: Principal = Depends(require("cases.decide"))) -> dict[str, Any]:
    """Put a case on hold (out of the queue) with a reason."""
    return case_out(hold_case(session, case_id, who, body.note))


@router.post("/cases/{case_id}/unhold", response_model=CaseOut)
def post_unhold(case_id: str, session: Session = Depends(get_session),
                who: Principal = Depends(require("cases.decide"))) -> dict[str, Any]:
    """Return a held case to the queue."""
    return case_out(unhold_case(session, case_id, who))


@router.get("/decisions/{decision_id}", response_model=DecisionOut)
def get_decision_detail(decision_id: str, session: Session = Depends(get_session),
                        _: Principal = Depends(require("decisions.read"))) -> dict[str, Any]:
    """One decision."""
    return decision_out(get_decision(session, decision_id))


@router.get("/statements/{statement_id}", response_model=StatementOut)
def get_statement_detail(statement_id: str, session: Session = Depends(get_session),
                         _: Principal = Depends(require("statements.read"))) -> dict[str, Any]:
    """A statement of reasons as DSA Transparency Database JSON (no notifier identity)."""
    return dict(get_statement(session, statement_id).data)


@router.post("/decisions/{decision_id}/appeals", status_code=201, response_model=AppealOut)
def post_appeal(decision_id: str, body: AppealIn, session: Session = Depends(get_session),
                who: Principal = Depends(require("appeals.create"))) -> dict[str, Any]:
    """Appeal a decision: the creator (via a service key) or a notifier when nothing was done."""
    appeal = create_appeal(session, decision_id, who, body.reason)
    session.commit()
    return {"id": appeal.id, "decision_id": appeal.decision_id, "case_id": appeal.case_id,
            "appellant": appeal.appellant, "status": appeal.status, "created_at": appeal.created_at}


# Notifications are this domain's rows; the route keeps the tags it had beside the notice
# routes (its own router, included side by side: ``routers``).
notifications_router = Router(prefix="/api/v1", tags=["partners", "notices"])
routers = (router, notifications_router)


@notifications_router.get("/notifications", response_model=list[NotificationOut])
def get_notifications(
    account_id: str | None = Query(default=None, description="creator notifications (service keys)"),
    limit: int = Query(default=100, ge=1, le=1000),
    session: Session = Depends(get_session),
    who: Principal = Depends(require("notifications.read")),
) -> list[dict[str, Any]]:
    """Notifications for the caller: a partner's, a user's own, or (services) an account's."""
    q = select(Notification)
    if who.role in PARTNER_ROLES and who.partner_id:
        q = q.where(Notification.recipient_type == "partner", Notification.recipient_id == who.partner_id)
    elif who.role in ("service", "admin"):
        if account_id is None:
            raise Invalid("account_id is required", reason="notification.account_missing")
        q = q.where(Notification.recipient_type == "account", Notification.recipient_id == account_id)
    elif who.role == "user":
        q = q.where(Notification.recipient_type == "user", Notification.recipient_id == who.user_id)
    else:
        raise Forbidden(f"role {who.role} has no notifications", reason="notification.not_for_role",
                        params={"role": who.role})
    rows = session.scalars(q.order_by(Notification.created_at.desc(), Notification.id).limit(limit))
    return [{"id": n.id, "kind": n.kind, "created_at": n.created_at, "decision_id": n.decision_id,
             "payload": n.payload} for n in rows]
