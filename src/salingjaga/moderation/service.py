"""The moderation workflow: cases and the queue, decisions with statements of reasons,
automated actions, appeals and notifications. No HTTP here; routes call these.

Contracts other domains rely on: ``open_case`` and ``apply_automated_action`` (detection,
election rules), the action names in ``actions``, and the tables in ``models``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, or_, select, update
from sqlalchemy.orm import Session

from salingjaga.audit.service import record, record_many
from salingjaga.auth.principal import SYSTEM, Principal
from salingjaga.bulk import attach_written, insert_rows, null_columns
from salingjaga.content.models import Account, ContentItem
from salingjaga.content.service import (
    contents_by_reference,
    get_content,
    restore_content_state,
    set_account_state,
    set_content_state,
)
from salingjaga.errors import Conflict, Forbidden, Invalid, NotFound
from salingjaga.ids import new_id
from salingjaga.moderation import actions as A
from salingjaga.moderation.ladder import escalate
from salingjaga.moderation.models import (
    Appeal,
    Case,
    Decision,
    Notice,
    NoticeCase,
    Notification,
    Statement,
    waiting,
)
from salingjaga.moderation.priority import SOURCES, compute_deadline, compute_priority, source_rank
from salingjaga.moderation.second_review import load_rules, reasons_for
from salingjaga.moderation.statements import StatementInput, build_statement, validate_statement
from salingjaga.moderation.webhooks import enqueue
from salingjaga.partners.models import Partner
from salingjaga.policies.service import get_policy, restriction_territory
from salingjaga.regions.elections import is_tight_day
from salingjaga.settings import Settings
from salingjaga.timeutil import WIB, utcnow

OPEN_STATUSES = ("open", "leased", "on_hold", "escalated")
LEVELS = ("moderator", "senior_moderator", "policy_lead")
# Which case levels each role may claim and decide.
ROLE_LEVELS = {
    "moderator": ("moderator",),
    "senior_moderator": ("moderator", "senior_moderator"),
    "policy_lead": ("moderator", "senior_moderator", "policy_lead"),
}
APPEAL_DAYS = 180


def _actor_name(actor: Principal | str) -> str:
    return actor if isinstance(actor, str) else actor.actor


def _settings(settings: Settings | None) -> Settings:
    # Callers in other domains (detection, rules) do not pass settings; the environment
    # then gives the same deadlines the running app was configured with.
    return settings if settings is not None else Settings()


def _tight(item: ContentItem) -> bool:
    # Tight when today is a quiet/voting day in the content's region, or when the content was
    # posted on one (quiet-period campaigning stays urgent whenever it is reported).
    today = utcnow().astimezone(WIB).date()
    posted = item.posted_at.astimezone(WIB).date()
    return is_tight_day(today, item.region_code) or is_tight_day(posted, item.region_code)


def _policy_severity(policy: str) -> int:
    return get_policy(policy).severity


# --------------------------------------------------------------------------------- cases


@dataclass(frozen=True)
class CaseRequest:
    """One reason to review a content item: what ``open_case`` takes, for ``open_cases``."""

    content_id: str
    policy: str
    source: str
    reason: str
    actor: Principal | str = "system"
    signal_refs: tuple[str, ...] = ()
    notify_partner_id: str | None = None
    severity_boost: int = 0


def open_case(
    session: Session,
    *,
    content_id: str,
    policy: str,
    source: str,
    reason: str,
    actor: Principal | str = "system",
    signal_refs: list[str] | None = None,
    notify_partner_id: str | None = None,
    severity_boost: int = 0,
    settings: Settings | None = None,
) -> Case:
    """Open a review case for a content item, or join the open one (raising its priority
    when the new source or policy is more urgent). Calling it again with the same content,
    policy and source adds nothing."""
    request = CaseRequest(content_id=content_id, policy=policy, source=source, reason=reason, actor=actor,
                          signal_refs=tuple(signal_refs or ()), notify_partner_id=notify_partner_id,
                          severity_boost=severity_boost)
    return open_cases(session, [request], settings=settings)[0]


def open_cases(session: Session, requests: list[CaseRequest], *, settings: Settings | None = None) -> list[Case]:
    """``open_case`` for many requests at once, with the same outcome as calling it for each
    in order (the first request about an item without an open case opens it, the others
    join it); returns the case of each request.

    A fixed number of statements however many requests: one read of the items, one of their
    open cases, one multi-row ``INSERT .. ON CONFLICT DO NOTHING`` for the new cases; only
    joins are written one by one. Notice intake commits a batch of notices this way.
    Raises (writing nothing) when a source is unknown or an item does not exist.
    """
    for r in requests:
        if r.source not in SOURCES:
            raise Invalid(f"unknown case source {r.source!r}; valid: {', '.join(SOURCES)}")
    items = contents_by_reference(session, [r.content_id for r in requests])
    for r in requests:
        if r.content_id not in items:
            raise NotFound(f"content {r.content_id} not found")
    open_by_item: dict[str, Case] = {}
    ids = list({items[r.content_id].id for r in requests})
    if ids:
        open_by_item = {c.open_content_id or "": c for c in session.scalars(
            select(Case).where(Case.open_content_id.in_(ids)))}
    cfg = _settings(settings)
    now = utcnow()
    planned: dict[str, tuple[int, dict[str, Any], Principal | str]] = {}  # item id -> (request, row, actor)
    priorities: list[int] = []
    for index, r in enumerate(requests):
        item = items[r.content_id]
        tight = _tight(item)
        priority = compute_priority(r.source, _policy_severity(r.policy), item.views, item.shares, tight,
                                    r.severity_boost)
        priorities.append(priority)
        if item.id in open_by_item or item.id in planned:
            continue
        planned[item.id] = (index, {
            **_CASE_NULLS, "id": new_id("case"), "content_id": item.id, "open_content_id": item.id,
            "account_id": item.account_id, "kind": "review", "status": "open", "level": "moderator",
            "priority": priority,
            "deadline": compute_deadline(now, tight, cfg.deadline_hours_default, cfg.deadline_hours_tight),
            "policy": r.policy, "source": r.source,
            "sources": [{"source": r.source, "policy": r.policy, "reason": r.reason[:500]}],
            "reasons": [r.reason[:500]], "signal_refs": list(r.signal_refs),
            "notify_partner_ids": [r.notify_partner_id] if r.notify_partner_id else [],
            "tight": tight, "created_at": now, "updated_at": now,
        }, r.actor)
    opened_by = _insert_cases(session, planned, open_by_item)
    cases: list[Case] = []
    for index, r in enumerate(requests):
        item = items[r.content_id]
        case = open_by_item[item.id]
        if opened_by.get(item.id) != index:
            case = _join(session, case, policy=r.policy, source=r.source, reason=r.reason,
                         refs=list(r.signal_refs), notify_partner_id=r.notify_partner_id,
                         priority=priorities[index], actor=r.actor, settings=settings)
        cases.append(case)
    return cases


def _insert_cases(session: Session, planned: dict[str, tuple[int, dict[str, Any], Principal | str]],
                  open_by_item: dict[str, Case]) -> dict[str, int]:
    """Insert the planned cases, attach them to the session and record their opening; an
    item another transaction opened a case for meanwhile gets that case (joined by the
    caller). Returns item id -> index of the request that opened its case."""
    if not planned:
        return {}
    rows = [row for _, row, _ in planned.values()]
    inserted = {row["id"] for row in rows}
    written = insert_rows(session, _CASES, rows, skip_conflicts=True)
    if written != len(rows):
        # Some items' cases were opened by another transaction meanwhile: see which of ours went in.
        inserted = set(session.scalars(select(Case.id).where(Case.id.in_(inserted))))
    opened: dict[str, int] = {}
    lost: list[str] = []
    events: list[tuple[Principal | str, str, str, str, dict[str, Any]]] = []
    for item_id, (index, row, actor) in planned.items():
        if row["id"] not in inserted:
            lost.append(item_id)
            continue
        case = attach_written(session, Case, row)
        open_by_item[item_id] = case
        opened[item_id] = index
        events.append((actor, "case.opened", "case", case.id,
                       {"content_id": item_id, "policy": row["policy"], "source": row["source"],
                        "priority": row["priority"], "deadline": case.deadline.isoformat(), "tight": row["tight"]}))
    record_many(session, events)
    if lost:
        # Another transaction opened these items' cases first: join those instead.
        for case in session.scalars(select(Case).where(Case.open_content_id.in_(lost))):
            open_by_item[case.open_content_id or ""] = case
        missing = [i for i in lost if i not in open_by_item]
        if missing:
            raise Conflict(f"the open case of content {missing[0]} changed while joining it; retry")
    return opened


_CASES = cast(Table, Case.__table__)
# Columns a new case leaves NULL, so the attached object has every attribute loaded.
_CASE_NULLS = null_columns(_CASES)


def _join(session: Session, case: Case, *, policy: str, source: str, reason: str,
          refs: list[str], notify_partner_id: str | None, priority: int,
          actor: Principal | str, settings: Settings | None) -> Case:
    entry = {"source": source, "policy": policy}
    seen = any(s.get("source") == source and s.get("policy") == policy for s in case.sources)
    new_refs = [r for r in refs if r not in (case.signal_refs or [])]
    new_partner = bool(notify_partner_id and notify_partner_id not in (case.notify_partner_ids or []))
    if seen and not new_refs and not new_partner:
        return case
    changes: dict[str, Any] = {"source": source, "policy": policy}
    if not seen:
        case.sources = [*case.sources, {**entry, "reason": reason[:500]}]
        case.reasons = [*case.reasons, reason[:500]]
    if new_refs:
        case.signal_refs = [*case.signal_refs, *new_refs]
        changes["signal_refs"] = new_refs
    if new_partner and notify_partner_id:
        case.notify_partner_ids = [*case.notify_partner_ids, notify_partner_id]
    if priority > case.priority:
        changes["priority"] = {"from": case.priority, "to": priority}
        case.priority = priority
        case.policy = policy
    if source_rank(source) > source_rank(case.source):
        case.source = source
    if source in ("trusted_flagger", "rules") and not case.tight:
        # An urgent source may shorten the deadline of a case opened by a slower one.
        cfg = _settings(settings)
        sooner = compute_deadline(case.created_at, False, cfg.deadline_hours_default, cfg.deadline_hours_tight)
        case.deadline = min(case.deadline, sooner)
    record(session, actor, "case.joined", "case", case.id, changes)
    return case


def get_case(session: Session, case_id: str) -> Case:
    """A case, or 404."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"case {case_id} not found")
    return case


def levels_for(who: Principal) -> tuple[str, ...]:
    """The case levels ``who`` may claim and decide, lowest first (403 for other roles)."""
    levels = ROLE_LEVELS.get(who.role)
    if not levels:
        raise Forbidden(f"role {who.role} does not review cases")
    return levels


REQUEUE_BATCH = 100  # expired leases a claim puts back before it picks

# The claim's statements, built once: composing them per call (columns, operators, the
# subquery) cost more CPU than running them. Parameter names must differ from column names
# in UPDATE statements. FOR UPDATE is left out by SQLAlchemy on SQLite, where the
# transaction already holds the single write lock (BEGIN IMMEDIATE).

# The claim's statements are on the table (``_CASES.c``), not the mapped class: an
# ORM-enabled statement recomputed its cache key and ran the ORM's bulk bookkeeping on
# every call, which cost more CPU than the statements themselves.
_C = _CASES.c
_WAITING = waiting()  # matches ix_cases_waiting

# Expired leases, oldest first, locked; rows another transaction holds are skipped (it is
# putting them back or claiming them itself). Walks ix_cases_lease: only leased cases have a
# lease_expires_at, so the range holds just the expired ones, usually none.
@lru_cache(maxsize=8)
def _expired(levels: tuple[str, ...]) -> Select[tuple[str]]:
    # One statement per set of levels (a role has one), the levels as plain equalities: an
    # expanding IN parameter is rewritten into the SQL text on every execution.
    return (
        select(_C.id)
        .where(_C.status == "leased", _C.lease_expires_at < bindparam("p_now"),
               or_(*(_C.level == level for level in levels)))
        .order_by(_C.lease_expires_at, _C.id)
        .limit(bindparam("p_limit"))
        .with_for_update(skip_locked=True)
    )

# The first waiting case of a level in claim order that no other transaction holds, leased
# in the same statement. The subquery walks ix_cases_waiting (same predicate, same order)
# and locks its first free row (SKIP LOCKED). A row another claim leased and committed after
# this statement's snapshot is re-checked on its newest version (READ COMMITTED) and passed
# over, so no retry loop is needed; the outer status condition repeats the check.
_TAKE = (
    update(_CASES)
    .where(
        _C.id == select(_C.id)
        .where(_C.level == bindparam("p_level"), _WAITING,
               or_(_C.excluded_user_id.is_(None), _C.excluded_user_id != bindparam("p_user")))
        .order_by(_C.priority.desc(), _C.deadline, _C.created_at, _C.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery(),
        _WAITING,
    )
    .values(status="leased", lease_owner=bindparam("p_user"), lease_expires_at=bindparam("p_until"))
    .returning(*_CASES.columns)
)


# On the table, not the class: the ORM's bulk-update bookkeeping cost more than the
# update; the session's Notice objects are expired instead (see claim_next).
_NOTICES = cast(Table, Notice.__table__)
_LINKS = cast(Table, NoticeCase.__table__)  # the subquery on the class made the UPDATE ORM-enabled
_NOTICES_IN_REVIEW = (
    update(_NOTICES)
    .where(_NOTICES.c.status == "received",
           _NOTICES.c.id.in_(select(_LINKS.c.notice_id).where(_LINKS.c.case_id == bindparam("p_case"))))
    .values(status="in_review")
)


def _requeue_expired(session: Session, now: datetime, levels: tuple[str, ...] = LEVELS,
                     limit: int = 500) -> dict[str, str | None]:
    """Put leased cases of ``levels`` whose lease ran out back among the waiting cases of
    their level; returns {case id: previous lease owner}. Usually there are none, and then
    this is one index probe."""
    ids = session.scalars(_expired(tuple(levels)), {"p_now": now, "p_limit": limit}).all()
    expired: dict[str, str | None] = {}
    if not ids:
        return expired
    for case in session.scalars(select(Case).where(Case.id.in_(ids)).order_by(Case.lease_expires_at, Case.id)):
        previous = case.lease_owner
        case.status = "open" if case.level == "moderator" else "escalated"
        case.lease_owner = None
        case.lease_expires_at = None
        record(session, "system:moderation", "case.lease_expired", "case", case.id, {"lease_owner": previous})
        expired[case.id] = previous
    return expired


def claim_next(session: Session, who: Principal, settings: Settings) -> Case | None:
    """Lease the most urgent waiting case to ``who``; None when nothing is waiting.

    Most urgent: the highest review level the caller works at, then priority, then the
    nearest deadline (a case opened in the quiet period has hours, not a day), then age
    (then id, so the order is total): the order the console lists the queue in. A lease
    that ran out makes its case wait again at its place in that order (the maintenance
    thread does the same every `maintenance_interval_seconds`).

    A constant number of short statements however long the queue is: put expired leases
    of the caller's levels back (usually none: one index probe); per level, highest first,
    one ``UPDATE .. RETURNING`` that picks and leases the case (``_TAKE``); the notices of
    the case; the audit event. Concurrent moderators never wait on each other's row and
    never get the same case.
    """
    levels = levels_for(who)
    now = utcnow()
    expired = _requeue_expired(session, now, levels, limit=REQUEUE_BATCH)
    lease_until = now + timedelta(seconds=settings.lease_seconds)
    case: Case | None = None
    for level in sorted(levels, key=LEVELS.index, reverse=True):
        row = session.execute(_TAKE, {"p_level": level, "p_user": who.user_id, "p_until": lease_until}).first()
        if row is not None:
            # A Case this session loaded earlier (the demo opens and claims in one session)
            # takes the leased state from RETURNING instead of keeping its own.
            case = attach_written(session, Case, {c.key: row[i] for i, c in enumerate(_CASES.columns)})
            break
    if case is None:
        return None
    session.execute(_NOTICES_IN_REVIEW, {"p_case": case.id})
    for held in [o for o in session.identity_map.values() if isinstance(o, Notice) and o.status == "received"]:
        session.expire(held, ["status"])  # a notice this session loaded reads its new status
    record(session, who, "case.claimed", "case", case.id,
           {"lease_expires_at": lease_until.isoformat(), "expired_lease_of": expired.get(case.id)})
    return case


def expire_stale_leases(session: Session) -> list[str]:
    """Put leased cases whose lease ran out back in the queue (``claim_next`` also does,
    for the levels of the moderator claiming); returns their ids."""
    return list(_requeue_expired(session, utcnow()))


def _require_lease(case: Case, who: Principal) -> None:
    if case.status == "decided":
        raise Conflict(f"case {case.id} is already decided")
    if case.status != "leased" or case.lease_owner != who.user_id:
        raise Conflict(f"case {case.id} is not leased to you; claim it first")
    if case.lease_expires_at is not None and case.lease_expires_at < utcnow():
        raise Conflict(f"your lease on case {case.id} expired; claim it again")
    if case.level not in levels_for(who):
        raise Forbidden(f"case {case.id} needs a {case.level}")


def release(session: Session, case_id: str, who: Principal) -> Case:
    """Give a leased case back to the queue."""
    case = get_case(session, case_id)
    _require_lease(case, who)
    case.status = "escalated" if case.level != "moderator" else "open"
    case.lease_owner = None
    case.lease_expires_at = None
    record(session, who, "case.released", "case", case.id, {})
    return case


def escalate_case(session: Session, case_id: str, who: Principal, note: str) -> Case:
    """Send a leased case up one level (senior moderator, then policy lead)."""
    case = get_case(session, case_id)
    _require_lease(case, who)
    idx = LEVELS.index(case.level)
    if idx + 1 >= len(LEVELS):
        raise Conflict("the case is already with the policy leads")
    case.level = LEVELS[idx + 1]
    case.status = "escalated"
    case.escalation_note = note[:2000]
    case.lease_owner = None
    case.lease_expires_at = None
    record(session, who, "case.escalated", "case", case.id, {"level": case.level, "note": note[:500]})
    return case


def hold_case(session: Session, case_id: str, who: Principal, reason: str) -> Case:
    """Put a leased case on hold (e.g. waiting for a fact-check); it leaves the queue."""
    case = get_case(session, case_id)
    _require_lease(case, who)
    case.status = "on_hold"
    case.hold_reason = reason[:500]
    case.lease_owner = None
    case.lease_expires_at = None
    record(session, who, "case.held", "case", case.id, {"reason": reason[:500]})
    return case


def unhold_case(session: Session, case_id: str, who: Principal) -> Case:
    """Return a held case to the queue at its level."""
    case = get_case(session, case_id)
    if case.status != "on_hold":
        raise Conflict(f"case {case.id} is not on hold")
    if case.level not in levels_for(who):
        raise Forbidden(f"case {case.id} needs a {case.level}")
    case.status = "open" if case.level == "moderator" else "escalated"
    case.hold_reason = None
    record(session, who, "case.unheld", "case", case.id, {})
    return case


def _case_notices(session: Session, case_id: str) -> list[Notice]:
    return list(session.scalars(
        select(Notice).join(NoticeCase, NoticeCase.notice_id == Notice.id)
        .where(NoticeCase.case_id == case_id).order_by(Notice.received_at)
    ))


def case_notices(session: Session, case_id: str) -> list[Notice]:
    """The notices that joined a case, oldest first."""
    return _case_notices(session, case_id)


def case_signals(session: Session, content_id: str) -> list[dict[str, Any]]:
    """Detection signals for the content, if the detection domain is installed."""
    try:
        module = importlib.import_module("salingjaga.detection.service")
    except ModuleNotFoundError:
        return []
    fn = getattr(module, "signals_for", None)
    if fn is None:
        return []
    result: list[dict[str, Any]] = fn(session, content_id)
    return result


# ------------------------------------------------------------------------------ decisions


@dataclass
class DecisionResult:
    """What deciding a case produced: decisions, and webhook deliveries to send."""

    decisions: list[Decision] = field(default_factory=list)
    deliveries: list[str] = field(default_factory=list)

    @property
    def main(self) -> Decision:
        """The decision about the content (or the appeal outcome)."""
        return self.decisions[0]


def _statement_input(*, puid: str, action: str, policy_code: str, facts: str, source: str,
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


def _statement_for(session: Session, decision: Decision, item: ContentItem | None,
                   account: Account | None, end: datetime | None = None) -> Statement | None:
    if not A.is_restriction(decision.action):
        return None
    statement_id = new_id("sor")
    data = build_statement(_statement_input(
        puid=statement_id, action=decision.action, policy_code=decision.policy, facts=decision.facts,
        source=decision.source, item=item, account=account, applied=decision.decided_at,
        automated_detection=decision.automated_detection,
        automated_decision=decision.automated_decision, legal_ground=decision.legal_ground, end=end))
    errors = validate_statement(data)
    if errors:  # a bug, not a user error: never store a statement the database would refuse
        raise RuntimeError(f"statement of reasons fails DSA rules: {errors}")
    st = Statement(id=statement_id, decision_id=decision.id, data=data, created_at=decision.decided_at)
    session.add(st)
    decision.statement_id = st.id
    return st


def _detected_automatically(case: Case) -> bool:
    """Whether detection (a proactive source or attached signals) brought the case in: the
    statement of reasons must say so."""
    return any(s.get("source") == "proactive" for s in case.sources) or bool(case.signal_refs)


def preview_statement(session: Session, case: Case, *, action: str, policy: str, facts: str,
                      legal_ground: str | None = None) -> tuple[dict[str, Any], list[str]] | None:
    """The statement of reasons deciding ``case`` with ``action`` would write now, and what
    the DSA rules would find wrong with it (empty facts are reported, not refused); None
    when the action writes no statement. Nothing is stored. Raises NotFound for an unknown
    policy."""
    if not A.is_restriction(action):  # the test _statement_for applies
        return None
    item = get_content(session, case.content_id)
    account = session.get(Account, item.account_id)
    data = build_statement(_statement_input(
        puid="preview", action=action, policy_code=policy, facts=facts or "…", source=case.source,
        item=item, account=account, applied=utcnow(),
        automated_detection=_detected_automatically(case), automated_decision=False,
        legal_ground=legal_ground or None))
    return data, validate_statement(data) if facts else []


def _apply_content(session: Session, item: ContentItem, action: str, actor: Principal | str,
                   reason: str) -> dict[str, Any]:
    change = A.content_change(action)
    return set_content_state(session, item, actor=actor, reason=reason, **change.as_kwargs())  # type: ignore[arg-type]


def _apply_account(session: Session, account: Account, requested: str, actor: Principal | str,
                   reason: str, feature: str | None, suspend_days: int | None
                   ) -> tuple[str, dict[str, Any], dict[str, Any], datetime | None]:
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


def _new_decision(session: Session, **kw: Any) -> Decision:
    d = Decision(id=new_id("dec"), decided_at=utcnow(), details={}, previous_state={}, **kw)
    session.add(d)
    session.flush()
    return d


def decide(
    session: Session, case_id: str, who: Principal, *, action: str, policy: str, facts: str,
    legal_ground: str | None = None, account_action: str | None = None,
    feature: str | None = None, suspend_days: int | None = None,
) -> DecisionResult:
    """A human decision on a leased case: apply it, write the statement of reasons, close
    the case, and notify the creator and every notifier."""
    case = get_case(session, case_id)
    _require_lease(case, who)
    if case.kind == "appeal":
        return _decide_appeal(session, case, who, action=action, policy=policy, facts=facts,
                              legal_ground=legal_ground)
    if case.kind == "second_review":
        return _decide_second_review(session, case, who, action=action, facts=facts)
    try:
        A.check_action(action)
        if account_action is not None:
            A.check_action(account_action, A.ACCOUNT_ACTIONS)
    except ValueError as exc:
        raise Invalid(str(exc)) from exc
    get_policy(policy)
    if not facts.strip():
        raise Invalid("facts: say what you saw and why it breaks (or does not break) the policy")
    if legal_ground and not A.is_restriction(action) and not account_action:
        raise Invalid("a legal ground only applies to a restriction")
    item = session.get(ContentItem, case.content_id)
    assert item is not None
    account = session.get(Account, item.account_id)
    result = DecisionResult()
    automated_detection = _detected_automatically(case)
    common = {"case_id": case.id, "content_id": item.id, "account_id": item.account_id,
              "policy": policy, "legal_ground": legal_ground, "decided_by": who.user_id,
              "automated_detection": automated_detection, "automated_decision": False,
              "source": case.source}
    if A.is_content_action(action):
        before = _apply_content(session, item, action, who, f"case {case.id}: {action}")
        decision = _new_decision(session, kind="content", action=action, facts=facts, **common)
        decision.previous_state = before
        _statement_for(session, decision, item, account)
        result.decisions.append(decision)
    requested = account_action or (action if A.is_account_action(action) else None)
    if requested is not None and account is not None:
        applied, before_acc, details, end = _apply_account(
            session, account, requested, who, f"case {case.id}: {requested}", feature, suspend_days)
        acc_facts = f"{facts.strip()} Account action: {details['summary']}."
        acc_decision = _new_decision(session, kind="account", action=applied, facts=acc_facts, **common)
        acc_decision.previous_state = before_acc
        acc_decision.details = details
        _statement_for(session, acc_decision, item, account, end)
        result.decisions.append(acc_decision)
    main = result.main
    _close_case(session, case, main)
    review = _open_second_review(session, case, result.decisions, item, account, who)
    record(session, who, "decision.made", "decision", main.id,
           {"case_id": case.id, "action": main.action, "policy": policy,
            "statement_id": main.statement_id,
            "account_decision": result.decisions[1].id if len(result.decisions) > 1 else None,
            "second_review_case": review.id if review is not None else None})
    for d in result.decisions:
        result.deliveries += notify_decision(session, d, case)
    return result


def _open_second_review(session: Session, case: Case, decisions: list[Decision], item: ContentItem,
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
    cfg = _settings(None)
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


def _pending_review_of(session: Session, original_case_id: str | None) -> list[Decision]:
    if original_case_id is None:
        return []
    return list(session.scalars(select(Decision).where(
        Decision.case_id == original_case_id, Decision.second_review == "pending")
        .order_by(Decision.decided_at, Decision.id)))


def _end_statement(session: Session, decision: Decision, end: datetime) -> None:
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


def _restore(session: Session, d: Decision, item: ContentItem, account: Account | None,
             who: Principal, reason: str) -> None:
    if d.kind == "account" and account is not None:
        set_account_state(session, account, actor=who, reason=reason,
                          strikes=d.previous_state.get("strikes", account.strikes),
                          restricted_features=d.previous_state.get("restricted_features", []),
                          suspended_until=_parse_dt(d.previous_state.get("suspended_until")),
                          banned=d.previous_state.get("banned", False))
    elif d.previous_state:
        restore_content_state(session, item, d.previous_state, actor=who, reason=reason)


def _decide_second_review(session: Session, case: Case, who: Principal, *, action: str,
                          facts: str) -> DecisionResult:
    """Confirm (``uphold``) or overturn (``reverse``) the decisions a second review holds."""
    original = get_decision(session, case.review_of_decision_id or "")
    if who.user_id in (original.decided_by, case.excluded_user_id):
        raise Forbidden("the moderator who took a decision may not give its second review")
    if action not in A.APPEAL_OUTCOMES:
        raise Invalid(f"a second review confirms (uphold) or overturns (reverse) the decision; got {action!r}")
    if not facts.strip():
        raise Invalid("facts: explain why the decision is confirmed or overturned")
    reviewed = _pending_review_of(session, original.case_id)
    if not reviewed:
        raise Conflict(f"decision {original.id} has nothing left to review (an appeal decided it)")
    item = session.get(ContentItem, case.content_id)
    assert item is not None
    account = session.get(Account, item.account_id)
    common = {"case_id": case.id, "content_id": item.id, "account_id": item.account_id,
              "decided_by": who.user_id, "automated_detection": original.automated_detection,
              "automated_decision": False, "source": original.source, "policy": original.policy}
    if action == A.UPHOLD:
        decision = _new_decision(session, kind="review", action=A.UPHOLD,
                                 legal_ground=original.legal_ground, facts=facts, **common)
        for d in reviewed:
            d.second_review = "confirmed"
    else:
        decision = _new_decision(session, kind="review", action=A.REVERSE, legal_ground=None,
                                 facts=facts, reverses_id=original.id, **common)
        for d in reversed(reviewed):
            _restore(session, d, item, account, who, f"second review {case.id} overturned decision {d.id}")
            d.second_review = "overturned"
            d.reversed_by_id = decision.id
            _end_statement(session, d, decision.decided_at)
    decision.details = {"second_review_of": [d.id for d in reviewed],
                        "outcome": "confirmed" if action == A.UPHOLD else "overturned"}
    case.status = "decided"
    case.decided_at = decision.decided_at
    case.lease_owner = None
    case.lease_expires_at = None
    first_case = session.get(Case, original.case_id) if original.case_id else None
    if first_case is not None and action == A.REVERSE:
        for notice in _case_notices(session, first_case.id):
            if notice.decision_id in {d.id for d in reviewed}:
                notice.decision_id = decision.id
                notice.outcome = decision.action
    record(session, who, "second_review.decided", "decision", decision.id,
           {"case_id": case.id, "outcome": decision.details["outcome"],
            "decisions": decision.details["second_review_of"]})
    result = DecisionResult(decisions=[decision])
    if account is not None:
        if action == A.UPHOLD:
            for d in reviewed:
                _notify(session, "account", account.id, "creator.second_review",
                        creator_payload(d), d)
        else:
            payload = creator_payload(decision)
            payload["reversed_decision_ids"] = [d.id for d in reviewed]
            _notify(session, "account", account.id, "creator.second_review", payload, decision)
    if first_case is not None:
        result.deliveries += _notify_notifiers(session, decision, first_case, "second_review",
                                               actioned=action == A.UPHOLD)
    return result


def _supersede_second_review(session: Session, original: Decision, by: Decision) -> None:
    """An appeal reversed or changed a decision still waiting for its second review: the
    appeal's outcome is final, and the second review closes when nothing is left to review."""
    if original.second_review != "pending":
        return
    original.second_review = "superseded"
    if _pending_review_of(session, original.case_id):
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


def _close_case(session: Session, case: Case, decision: Decision) -> None:
    now = decision.decided_at
    case.status = "decided"
    case.decided_at = now
    case.open_content_id = None
    case.lease_owner = None
    case.lease_expires_at = None
    for notice in _case_notices(session, case.id):
        notice.status = "decided"
        notice.decided_at = now
        notice.decision_id = decision.id
        notice.outcome = decision.action


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
        raise Invalid(str(exc)) from exc
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
    before = _apply_content(session, item, action, actor, f"rule {rule}: {action}")
    decision = _new_decision(
        session, case_id=open_case_row.id if open_case_row else None, content_id=item.id,
        account_id=item.account_id, kind="content", action=action, policy=policy,
        legal_ground=None, facts=facts, decided_by=None, automated_detection=True,
        automated_decision=True, source="proactive", rule=rule[:200])
    decision.previous_state = before
    _statement_for(session, decision, item, session.get(Account, item.account_id))
    record(session, actor, "decision.automated", "decision", decision.id,
           {"content_id": item.id, "action": action, "policy": policy, "rule": rule,
            "statement_id": decision.statement_id})
    notify_decision(session, decision, None)
    return decision


def get_decision(session: Session, decision_id: str) -> Decision:
    """A decision, or 404."""
    d = session.get(Decision, decision_id)
    if d is None:
        raise NotFound(f"decision {decision_id} not found")
    return d


def get_statement(session: Session, statement_id: str) -> Statement:
    """A statement of reasons, or 404."""
    st = session.get(Statement, statement_id)
    if st is None:
        raise NotFound(f"statement {statement_id} not found")
    return st


# -------------------------------------------------------------------------- notifications


def _notify(session: Session, recipient_type: str, recipient_id: str, kind: str,
            payload: dict[str, Any], decision: Decision | None, notice_id: str | None = None
            ) -> Notification:
    n = Notification(id=new_id("ntf"), recipient_type=recipient_type, recipient_id=recipient_id,
                     kind=kind, decision_id=decision.id if decision else None, notice_id=notice_id,
                     payload=payload, created_at=utcnow())
    session.add(n)
    session.flush()
    return n


def _outcome(decision: Decision) -> dict[str, Any]:
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
    out = _outcome(decision)
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
                    kind: str = "decision") -> list[str]:
    """Tell the creator and every notifier of the case; returns webhook delivery ids."""
    deliveries: list[str] = []
    if decision.account_id and decision.action not in (A.NO_VIOLATION, A.LABEL_ELECTION_NOTICE):
        _notify(session, "account", decision.account_id, f"creator.{kind}", creator_payload(decision), decision)
    if case is None or decision.kind == "account":
        return deliveries
    return _notify_notifiers(session, decision, case, kind,
                             actioned=decision.action not in (A.NO_VIOLATION, A.UPHOLD))


def _notify_notifiers(session: Session, decision: Decision, case: Case, kind: str, *,
                      actioned: bool) -> list[str]:
    """Tell every notifier of ``case`` (users in the app, partners also by webhook)."""
    deliveries: list[str] = []
    partner_ids: dict[str, list[str]] = {}
    for notice in _case_notices(session, case.id):
        if notice.partner_id:
            partner_ids.setdefault(notice.partner_id, []).append(notice.id)
        else:
            payload = {"notice_id": notice.id, "status": notice.status, "decision": _outcome(decision),
                       "actioned": actioned}
            _notify(session, "user", notice.reporter_user_id, f"notice.{kind}", payload, decision, notice.id)
    for pid in case.notify_partner_ids or []:
        partner_ids.setdefault(pid, [])
    for pid, notice_ids in partner_ids.items():
        partner = session.get(Partner, pid)
        if partner is None:
            continue
        payload = {"notice_ids": notice_ids, "case_id": case.id, "content_id": case.content_id,
                   "status": "decided", "decision": _outcome(decision),
                   "actioned": actioned}
        n = _notify(session, "partner", pid, f"notice.{kind}", payload, decision,
                    notice_ids[0] if notice_ids else None)
        delivery = enqueue(session, partner, n)
        if delivery:
            deliveries.append(delivery)
    return deliveries


# --------------------------------------------------------------------------------- appeals


def create_appeal(session: Session, decision_id: str, who: Principal, reason: str) -> Appeal:
    """Open an appeal: the creator (through a service key) against a restriction or strike,
    or a notifier whose notice led to no action. A different human will decide it."""
    decision = get_decision(session, decision_id)
    if decision.kind == "appeal" or decision.reverses_id is not None:
        raise Invalid("an appeal outcome cannot itself be appealed")
    if decision.kind == "review":
        raise Invalid("a second review's outcome is not appealed; appeal the decision it reviewed")
    if decision.reversed_by_id is not None:
        raise Conflict("this decision was already reversed")
    if who.role in ("service", "admin"):
        appellant = "creator"
        if decision.action == A.NO_VIOLATION:
            raise Invalid("nothing was done to the content; there is nothing for the creator to appeal")
    else:
        appellant = "notifier"
        notices = _case_notices(session, decision.case_id) if decision.case_id else []
        mine = [n for n in notices if (who.partner_id and n.partner_id == who.partner_id)
                or n.reporter_user_id == who.user_id]
        if not mine:
            raise NotFound(f"decision {decision_id} not found")
        if decision.action != A.NO_VIOLATION:
            raise Invalid("a notifier may appeal only when nothing was done")
    if session.scalar(select(Appeal.id).where(Appeal.decision_id == decision.id, Appeal.status == "open")):
        raise Conflict("an appeal against this decision is already open")
    item = session.get(ContentItem, decision.content_id) if decision.content_id else None
    if item is None:
        raise Invalid("the decision concerns no content item")
    original = session.get(Case, decision.case_id) if decision.case_id else None
    source = "user_report" if appellant == "creator" else (original.source if original else "partner")
    cfg = _settings(None)
    now = utcnow()
    tight = _tight(item)
    appeal = Appeal(id=new_id("apl"), decision_id=decision.id, appellant=appellant,
                    appellant_partner_id=who.partner_id if appellant == "notifier" else None,
                    appellant_user_id=who.user_id, reason=reason[:5000], status="open", created_at=now)
    session.add(appeal)
    case = Case(
        id=new_id("case"), content_id=item.id, open_content_id=None, account_id=item.account_id,
        kind="appeal", status="open", level="moderator",
        priority=compute_priority(source, _policy_severity(decision.policy), item.views, item.shares, tight),
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
        for notice in _case_notices(session, decision.case_id):
            notice.status = "appealed"
            session.add(NoticeCase(notice_id=notice.id, case_id=case.id, content_id=item.id))
    record(session, who, "appeal.created", "appeal", appeal.id,
           {"decision_id": decision.id, "appellant": appellant, "case_id": case.id})
    return appeal


def _decide_appeal(session: Session, case: Case, who: Principal, *, action: str, policy: str,
                   facts: str, legal_ground: str | None) -> DecisionResult:
    appeal = session.get(Appeal, case.appeal_id) if case.appeal_id else None
    if appeal is None:
        raise NotFound(f"appeal of case {case.id} not found")
    original = get_decision(session, appeal.decision_id)
    if who.user_id == original.decided_by or who.user_id == case.excluded_user_id:
        raise Forbidden("the moderator who took a decision may not decide its appeal")
    if action not in (*A.APPEAL_OUTCOMES, *A.CONTENT_ACTIONS):
        raise Invalid(f"an appeal is decided with uphold, reverse or a content action; got {action!r}")
    if not facts.strip():
        raise Invalid("facts: explain the outcome of the appeal")
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
        _restore(session, original, item, account, who, f"appeal {appeal.id} reversed decision {original.id}")

    if action == A.UPHOLD:
        decision = _new_decision(session, kind="appeal", action=A.UPHOLD, policy=original.policy,
                                 legal_ground=original.legal_ground, facts=facts, **common)
        appeal.status = "upheld"
    elif action == A.REVERSE or (action == A.NO_VIOLATION and restrictive):
        if not restrictive:
            raise Invalid("nothing was done; to act on a notifier's appeal choose a content action")
        restore()
        decision = _new_decision(session, kind="appeal", action=A.REVERSE, policy=original.policy,
                                 legal_ground=None, facts=facts, reverses_id=original.id, **common)
        original.reversed_by_id = decision.id
        appeal.status = "reversed"
    else:
        if restrictive:
            restore()
        before = _apply_content(session, item, action, who, f"appeal {appeal.id}: {action}")
        decision = _new_decision(session, kind="content", action=action, policy=policy,
                                 legal_ground=legal_ground, facts=facts,
                                 reverses_id=original.id if restrictive else None, **common)
        decision.previous_state = before
        if restrictive:
            original.reversed_by_id = decision.id
        _statement_for(session, decision, item, account)
        appeal.status = "changed"
    result.decisions.append(decision)
    if decision.action != A.UPHOLD:
        _supersede_second_review(session, original, decision)
    appeal.outcome_decision_id = decision.id
    appeal.decided_by = who.user_id
    appeal.decided_at = decision.decided_at
    _close_case(session, case, decision)
    if decision.action == A.UPHOLD:
        # An upheld appeal leaves the original action in force: that is the notice's
        # outcome (feedback would otherwise count the notice as unfounded).
        for notice in _case_notices(session, case.id):
            notice.outcome = original.action
            notice.decision_id = original.id
    record(session, who, "appeal.decided", "appeal", appeal.id,
           {"outcome": appeal.status, "decision_id": decision.id, "original_decision_id": original.id,
            "statement_id": decision.statement_id})
    result.deliveries += notify_decision(session, decision, case, kind="appeal_decided")
    return result


def _parse_dt(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value)


def queue_stats(session: Session) -> dict[str, Any]:
    """Counts of cases by status and level, and how many are past their deadline."""
    from sqlalchemy import func

    rows = session.execute(select(Case.status, Case.level, Case.kind, func.count()).group_by(
        Case.status, Case.level, Case.kind)).all()
    overdue = session.scalar(select(func.count()).select_from(Case).where(
        Case.status.in_(OPEN_STATUSES), Case.deadline < utcnow())) or 0
    by_status: dict[str, int] = {}
    by_level: dict[str, int] = {}
    for status, level, _kind, n in rows:
        by_status[status] = by_status.get(status, 0) + n
        if status in OPEN_STATUSES:
            by_level[level] = by_level.get(level, 0) + n
    waiting = sum(n for s, n in by_status.items() if s in ("open", "escalated"))
    return {"waiting": waiting, "by_status": by_status, "open_by_level": by_level, "overdue": overdue}


SYSTEM_ACTOR = SYSTEM
