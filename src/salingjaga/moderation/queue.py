"""The review queue: the claim order, leasing the most urgent waiting case, leases that
run out, and giving a case back (release), up (escalate) or aside (hold).

The one-statement claim used on PostgreSQL with deferred audit is in ``claim_statement``;
it takes cases in the same order as ``claim_next``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import lru_cache
from itertools import count
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, Table, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from salingjaga.audit.service import record
from salingjaga.auth.principal import Principal
from salingjaga.content.models import ContentItem
from salingjaga.core.bulk import attach_written
from salingjaga.core.errors import Conflict, Forbidden
from salingjaga.core.settings import Settings
from salingjaga.core.timeutil import utcnow
from salingjaga.moderation.cases import LEVELS, OPEN_STATUSES, ROLE_LEVELS, get_case, levels_for
from salingjaga.moderation.events import CaseClaimed, announce
from salingjaga.moderation.models import Case, waiting

_CASES = cast(Table, Case.__table__)
_C = _CASES.c

# The claim order, as (column, descending): highest priority first, then the nearest
# deadline (a case opened in the quiet period has hours, not a day), then the oldest, then
# the id so the order is total. Both claims and the console's queue list use it, and
# ix_cases_waiting (models) is built in it so the claim walks that index.
CLAIM_ORDER: tuple[tuple[str, bool], ...] = (
    ("priority", True), ("deadline", False), ("created_at", False), ("id", False))


def claim_order() -> tuple[ColumnElement[Any], ...]:
    """``CLAIM_ORDER`` as ORDER BY clauses on the cases table (usable in ORM queries of
    ``Case`` too)."""
    return tuple(_C[name].desc() if desc else _C[name] for name, desc in CLAIM_ORDER)


def claim_order_sql() -> str:
    """``CLAIM_ORDER`` as the text of an ORDER BY over unqualified column names."""
    return ", ".join(f"{name} DESC" if desc else name for name, desc in CLAIM_ORDER)


def list_queue(session: Session, who: Principal, kind: str, limit: int) -> list[tuple[Case, ContentItem]]:
    """The open cases of ``kind`` at the levels ``who`` works at, with their content items,
    in claim order (at most ``limit``); none for a role that reviews no cases."""
    levels = ROLE_LEVELS.get(who.role, ())
    rows = session.execute(
        select(Case, ContentItem).join(ContentItem, ContentItem.id == Case.content_id)
        .where(Case.status.in_(OPEN_STATUSES), Case.kind == kind, Case.level.in_(levels))
        .order_by(*claim_order()).limit(limit)
    ).all()
    return [(c, i) for c, i in rows]


REQUEUE_BATCH = 100  # expired leases a claim puts back before it picks

# The claim's statements are built once, at import, on the table (``_CASES.c``) rather
# than the mapped class: composing them per call, or letting the ORM recompute an
# ORM-enabled statement's cache key and run its bulk bookkeeping on every execution,
# costs more CPU than executing them. Parameter names must differ from column names in
# UPDATE statements. SQLAlchemy leaves FOR UPDATE out on SQLite, where the transaction
# already holds the single write lock (BEGIN IMMEDIATE).
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
        .with_for_update(skip_locked=True, key_share=True)
    )

# The first waiting case of a level in claim order that no other transaction holds, leased
# in the same statement. The subquery walks ix_cases_waiting (same predicate, same order)
# and locks its first free row (SKIP LOCKED). A row another claim leased and committed after
# this statement's snapshot is re-checked on its newest version (READ COMMITTED) and passed
# over, so no retry loop is needed; the outer status condition repeats the check.
def _take(order: tuple[ColumnElement[Any], ...], *only: ColumnElement[bool]) -> Any:
    return (
        update(_CASES)
        .where(
            _C.id == select(_C.id)
            .where(_C.level == bindparam("p_level"), _WAITING,
                   or_(_C.excluded_user_id.is_(None), _C.excluded_user_id != bindparam("p_user")), *only)
            .order_by(*order)
            .limit(1)
            .with_for_update(skip_locked=True, key_share=True)
            .scalar_subquery(),
            _WAITING,
        )
        .values(status="leased", lease_owner=bindparam("p_user"), lease_expires_at=bindparam("p_until"))
        .returning(*_CASES.columns)
    )


_TAKE = _take(claim_order())
# Plain first-come-first-served (``queue_order = "fifo"``): the baseline a simulation
# compares the claim order with. Without an index in this order it sorts the waiting cases
# of a level, which is fine for a baseline and never used by default.
_TAKE_FIFO = _take((_C.created_at, _C.id))
# The case longest past its deadline (``overdue_turn``): only cases already overdue, the
# earliest deadline first. Usually none is, and the sort is over the overdue ones only.
_TAKE_OVERDUE = _take((_C.deadline, _C.created_at, _C.id), _C.deadline < bindparam("p_now"))

_turns: dict[str, Iterator[int]] = {}


def overdue_turn(who: Principal, settings: Settings) -> bool:
    """Whether this claim of ``who`` goes first to the case longest past its deadline:
    ``queue_overdue_share`` of each moderator's claims, spread evenly (every fourth at
    0.25), under the priority order only.

    The claim order is strict: while trusted notices and detection hits keep arriving
    faster than the team decides, a user report never reaches the front (a simulated
    voting day decided 36 of 789). These turns bound that: the overdue cases, oldest
    deadline first, get a fixed share of the claims, and the most urgent keep the rest.
    With no backlog nothing is overdue and every claim takes the claim order. Counted per
    moderator in this process (so in a cluster each process keeps the share)."""
    share = settings.queue_overdue_share
    if share <= 0 or settings.queue_order != "priority":
        return False
    n = next(_turns.setdefault(who.user_id, count()))
    return math.floor((n + 1) * share) > math.floor(n * share)


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


def claim_next(session: Session, who: Principal, settings: Settings,
               overdue_first: bool | None = None) -> Case | None:
    """Lease the most urgent waiting case to ``who``; None when nothing is waiting.

    Most urgent: the highest review level the caller works at, then ``CLAIM_ORDER``
    (priority, nearest deadline, age, id), the order ``list_queue`` lists cases in; on an
    overdue turn (``overdue_turn``, or ``overdue_first`` when the caller drew it) the case
    longest past its deadline comes first, at any of the caller's levels. A lease
    that ran out makes its case wait again at its place in that order (the maintenance
    thread does the same every `maintenance_interval_seconds`).

    A constant number of short statements however long the queue is: put expired leases
    of the caller's levels back (usually none: one index probe); per level, highest first,
    one ``UPDATE .. RETURNING`` that picks and leases the case (``_TAKE``); ``CaseClaimed``
    (the notices domain puts the case's notices in review: one statement); the audit
    event. Concurrent moderators never wait on each other's row and never get the same case.
    """
    levels = levels_for(who)
    now = utcnow()
    expired = _requeue_expired(session, now, levels, limit=REQUEUE_BATCH)
    lease_until = now + timedelta(seconds=settings.lease_seconds)
    if overdue_first is None:
        overdue_first = overdue_turn(who, settings)
    takes = [_TAKE_FIFO if settings.queue_order == "fifo" else _TAKE]
    if overdue_first:
        takes.insert(0, _TAKE_OVERDUE)
    case: Case | None = None
    for take, level in ((t, lv) for t in takes for lv in sorted(levels, key=LEVELS.index, reverse=True)):
        row = session.execute(take, {"p_level": level, "p_user": who.user_id, "p_until": lease_until,
                                     "p_now": now}).first()
        if row is not None:
            # A Case this session loaded earlier (the demo opens and claims in one session)
            # takes the leased state from RETURNING instead of keeping its own.
            case = attach_written(session, Case, {c.key: row[i] for i, c in enumerate(_CASES.columns)})
            break
    if case is None:
        return None
    announce(session, CaseClaimed(case_id=case.id, user_id=who.user_id))  # the case's notices go in review
    record(session, who, "case.claimed", "case", case.id,
           {"lease_expires_at": lease_until.isoformat(), "expired_lease_of": expired.get(case.id)})
    return case


def expire_stale_leases(session: Session) -> list[str]:
    """Put leased cases whose lease ran out back in the queue (``claim_next`` also does,
    for the levels of the moderator claiming); returns their ids."""
    return list(_requeue_expired(session, utcnow()))


def require_lease(case: Case, who: Principal) -> None:
    """Refuse (409/403) unless ``who`` holds a live lease on ``case`` at a level they work at."""
    if case.status == "decided":
        raise Conflict(f"case {case.id} is already decided", reason="case.decided")
    if case.status != "leased" or case.lease_owner != who.user_id:
        raise Conflict(f"case {case.id} is not leased to you; claim it first", reason="case.not_claimed")
    if case.lease_expires_at is not None and case.lease_expires_at < utcnow():
        raise Conflict(f"your lease on case {case.id} expired; claim it again", reason="case.lease_expired")
    if case.level not in levels_for(who):
        raise Forbidden(f"case {case.id} needs a {case.level}", reason="case.other_level", params={"level": case.level})


def release(session: Session, case_id: str, who: Principal) -> Case:
    """Give a leased case back to the queue."""
    case = get_case(session, case_id)
    require_lease(case, who)
    case.status = "escalated" if case.level != "moderator" else "open"
    case.lease_owner = None
    case.lease_expires_at = None
    record(session, who, "case.released", "case", case.id, {})
    return case


def escalate_case(session: Session, case_id: str, who: Principal, note: str) -> Case:
    """Send a leased case up one level (senior moderator, then policy lead)."""
    case = get_case(session, case_id)
    require_lease(case, who)
    idx = LEVELS.index(case.level)
    if idx + 1 >= len(LEVELS):
        raise Conflict("the case is already with the policy leads", reason="case.at_top_level")
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
    require_lease(case, who)
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
        raise Conflict(f"case {case.id} is not on hold", reason="case.not_on_hold")
    if case.level not in levels_for(who):
        raise Forbidden(f"case {case.id} needs a {case.level}", reason="case.other_level", params={"level": case.level})
    case.status = "open" if case.level == "moderator" else "escalated"
    case.hold_reason = None
    record(session, who, "case.unheld", "case", case.id, {})
    return case


def queue_stats(session: Session) -> dict[str, Any]:
    """Counts of cases by status and level, and how many are past their deadline."""
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
