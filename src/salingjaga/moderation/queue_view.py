"""The queues as a person sees them: the rows of each visible queue and the filters of the
queue pages (policy, source, election, region, deadline), as SQL. The console's tabs and
the moderator's home both read these, so a count on the home page is the number of rows
the page it links to lists over all its pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select, true
from sqlalchemy.orm import Session

from salingjaga.auth.principal import Principal
from salingjaga.content.models import ContentItem
from salingjaga.core.timeutil import utcnow
from salingjaga.factcheck.referral_view import referral_count
from salingjaga.moderation.cases import OPEN_STATUSES, ROLE_LEVELS
from salingjaga.moderation.models import Case
from salingjaga.moderation.queue import claim_order

QUEUE_PAGE = 200  # rows of one page of a queue tab

# The visible queues: the kind of case each lists and its page.
QUEUES = (("review", "/console"), ("second_review", "/console/second-review"), ("appeal", "/console/appeals"))

# Deadline filters: "overdue", or due within the hours named (and not overdue yet).
DUE_WITHIN = {"1h": 1, "4h": 4, "24h": 24}
DUE_CHOICES = ("overdue", *DUE_WITHIN)
FILTERS = ("policy", "source", "election", "region", "due")

Row = tuple[Case, ContentItem]


def due_matches(deadline: datetime, due: str, now: datetime) -> bool:
    """Whether a deadline falls in a deadline filter (an unknown or empty filter: any)."""
    if due == "overdue":
        return deadline < now
    if due in DUE_WITHIN:
        return now <= deadline < now + timedelta(hours=DUE_WITHIN[due])
    return True


def _due_clause(due: str, now: datetime) -> ColumnElement[bool]:
    """``due_matches`` as SQL on the case's deadline."""
    if due == "overdue":
        return Case.deadline < now
    if due in DUE_WITHIN:
        return and_(Case.deadline >= now, Case.deadline < now + timedelta(hours=DUE_WITHIN[due]))
    return true()


def _queue_select(who: Principal, kind: str, params: Mapping[str, str], now: datetime,
                  *columns: Any) -> Select[Any]:
    """The open cases of one kind at the levels ``who`` works at, narrowed by the queue
    page's filters; the moderator who took a decision never sees its appeal or its second
    review offered."""
    policy, source = params.get("policy") or "", params.get("source") or ""
    election, region = params.get("election") or "", params.get("region") or ""
    q = select(*columns).select_from(Case)
    if election or region or any(getattr(c, "table", None) is ContentItem.__table__ or c is ContentItem
                                 for c in columns):
        q = q.join(ContentItem, ContentItem.id == Case.content_id)  # counts by case fields skip the join
    q = q.where(Case.status.in_(OPEN_STATUSES), Case.kind == kind, Case.level.in_(ROLE_LEVELS.get(who.role, ())),
                or_(Case.excluded_user_id.is_(None), Case.excluded_user_id != who.user_id))
    if policy:
        q = q.where(Case.policy == policy)
    if source:
        q = q.where(Case.source == source)
    if election:
        q = q.where(ContentItem.election == election)
    if region:
        q = q.where(ContentItem.region_code.startswith(region, autoescape=True))
    return q.where(_due_clause(params.get("due") or "", now))


def queue_count(session: Session, who: Principal, kind: str, params: Mapping[str, str] | None = None,
                now: datetime | None = None) -> int:
    """How many cases the queue tab lists over all its pages with these filters."""
    return int(session.scalar(_queue_select(who, kind, params or {}, now or utcnow(), func.count())) or 0)


def queue_rows(session: Session, who: Principal, kind: str, params: Mapping[str, str] | None = None,
               now: datetime | None = None, limit: int = QUEUE_PAGE, offset: int = 0) -> list[Row]:
    """One page of the queue tab's cases with their content, in claim order."""
    q = _queue_select(who, kind, params or {}, now or utcnow(), Case, ContentItem)
    return [(c, i) for c, i in session.execute(q.order_by(*claim_order()).limit(limit).offset(offset))]


def queue_overdue(session: Session, who: Principal, kind: str, params: Mapping[str, str],
                  now: datetime) -> int:
    """How many of the listed cases (the filters' rows, on any page) are past their deadline."""
    if (params.get("due") or "") in DUE_WITHIN:
        return 0  # "due within" lists only cases not yet overdue
    return queue_count(session, who, kind, {**params, "due": "overdue"}, now)


def due_counts(session: Session, who: Principal, kind: str, now: datetime) -> dict[str, int]:
    """The queue's open cases ("" ) and those in each deadline filter, in one statement:
    each figure counts the rows of ``_due_clause``, the filter its link applies."""
    buckets = [func.coalesce(func.sum(case((_due_clause(d, now), 1), else_=0)), 0) for d in DUE_CHOICES]
    row = session.execute(_queue_select(who, kind, {}, now, func.count(), *buckets)).one()
    return {"": int(row[0]), **{d: int(n) for d, n in zip(DUE_CHOICES, row[1:], strict=True)}}


def by_policy(session: Session, who: Principal, kind: str) -> dict[str, int]:
    """The queue's open cases counted by policy, as the policy filter lists them."""
    q = _queue_select(who, kind, {}, utcnow(), Case.policy, func.count()).group_by(Case.policy)
    return {str(p): int(n) for p, n in session.execute(q)}


def choices(session: Session, who: Principal, kind: str) -> dict[str, list[str]]:
    """The sources and elections a queue's filters offer: those of its open cases."""
    base = _queue_select(who, kind, {}, utcnow(), Case.source, ContentItem.election)
    sources, elections = set(), set()
    for source, election in session.execute(base.distinct()):
        sources.add(str(source))
        if election:
            elections.add(str(election))
    return {"sources": sorted(sources), "elections": sorted(elections)}


def filters_of(params: Mapping[str, str]) -> dict[str, str]:
    """The queue filters a request asks for (each empty when not given)."""
    return {k: params.get(k) or "" for k in FILTERS}


def tab_counts(session: Session, who: Principal) -> dict[str, Any]:
    """The figures of the console's tabs: each queue's open cases and every referral."""
    return {"counts": {k: queue_count(session, who, k) for k, _ in QUEUES}, "queues": QUEUES,
            "referral_count": referral_count(session, who)}
