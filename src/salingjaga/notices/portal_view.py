"""The notices as their notifier sees them, counted: by the status the partner sees (a
decision that a second review is still checking reads "under review"), the median time
from receipt to decision, and the notices received per week. The portal's list and the
partner's home read these same queries, so a count on the home page is the number of rows
of the list it links to.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, not_, or_, select
from sqlalchemy.orm import Session

from salingjaga.auth.principal import Principal
from salingjaga.content.models import ContentItem
from salingjaga.core.timeutil import WIB, utcnow
from salingjaga.moderation.models import Decision
from salingjaga.notices.models import NOTICE_STATUSES, Notice
from salingjaga.notices.service import visible_select

STATUSES = NOTICE_STATUSES
LIST_LIMIT = 200  # rows of one page of the portal's list


def _under_second_review() -> ColumnElement[bool]:
    """The notice's decision is one a second review is still checking."""
    pending = select(Decision.id).where(Decision.second_review == "pending")
    return and_(Notice.status == "decided", Notice.decision_id.in_(pending))


def _shown() -> Any:
    """The status the notifier sees, as an SQL expression."""
    return case((_under_second_review(), "in_review"), else_=Notice.status)


def _shown_is(status: str) -> ColumnElement[bool]:
    if status == "in_review":
        return or_(Notice.status == "in_review", _under_second_review())
    if status == "decided":
        return and_(Notice.status == "decided", not_(_under_second_review()))
    return Notice.status == status


def _shown_select(session: Session, who: Principal, status: str, *columns: Any) -> Any:
    q = visible_select(session, who, *columns)
    return q.where(_shown_is(status)) if status in STATUSES else q


def shown_notices(session: Session, who: Principal, status: str = "",
                  limit: int = LIST_LIMIT, offset: int = 0) -> list[Notice]:
    """The notices the caller may see whose shown status is ``status`` (any when empty),
    newest first (the order of ``ix_notices_partner_received``), ``limit`` of them after
    the first ``offset``."""
    q = _shown_select(session, who, status).order_by(Notice.received_at.desc(), Notice.id)
    return list(session.scalars(q.limit(limit).offset(offset)))


def shown_count(session: Session, who: Principal, status: str = "") -> int:
    """How many notices ``shown_notices`` lists over all its pages: the total the portal's
    list states, which equals the home's figure of that status."""
    return int(session.scalar(_shown_select(session, who, status, func.count())) or 0)


def under_second_review(session: Session, decision_ids: list[str]) -> set[str]:
    """The decisions among ``decision_ids`` a second review is still checking: until it
    ends, the notifier sees its notice as under review, not decided."""
    if not decision_ids:
        return set()
    return set(session.scalars(select(Decision.id).where(
        Decision.id.in_(decision_ids), Decision.second_review == "pending")))


def shown_statuses(session: Session, notices: list[Notice]) -> dict[str, str]:
    """The status the notifier sees of each notice, by notice id."""
    pending = under_second_review(session, [n.decision_id for n in notices if n.decision_id])
    return {n.id: "in_review" if n.decision_id in pending else n.status for n in notices}


def status_counts(session: Session, who: Principal) -> dict[str, int]:
    """How many of the caller's visible notices stand at each shown status."""
    shown = _shown()
    rows = session.execute(visible_select(session, who, shown, func.count()).group_by(shown))
    counts = {s: 0 for s in STATUSES}
    for status, n in rows:
        counts[str(status)] = counts.get(str(status), 0) + int(n)
    return counts


def median_seconds_to_decision(session: Session, who: Principal) -> float | None:
    """The median time from receipt to decision of the decided notices (None before any)."""
    rows = session.execute(visible_select(session, who, Notice.received_at, Notice.decided_at)
                           .where(_shown_is("decided"), Notice.decided_at.is_not(None)))
    waits = sorted((decided - received).total_seconds() for received, decided in rows)
    return waits[len(waits) // 2] if waits else None


def summary(session: Session, who: Principal) -> dict[str, Any]:
    """Counts by shown status, their total and the median time to a decision."""
    counts = status_counts(session, who)
    return {"counts": counts, "total": sum(counts.values()),
            "median_seconds": median_seconds_to_decision(session, who)}


def week_start(moment: datetime) -> date:
    """The Monday (in WIB) of the week a moment falls in."""
    day = moment.astimezone(WIB).date()
    return day - timedelta(days=day.weekday())


def weekly_counts(session: Session, who: Principal, weeks: int = 12,
                  now: datetime | None = None) -> list[tuple[date, int]]:
    """Notices received in each of the last ``weeks`` weeks (WIB, Monday to Sunday), oldest
    first, this week last."""
    this_week = week_start(now or utcnow())
    first = this_week - timedelta(weeks=weeks - 1)
    since = datetime(first.year, first.month, first.day, tzinfo=WIB)
    counts = {first + timedelta(weeks=k): 0 for k in range(weeks)}
    for (received,) in session.execute(visible_select(session, who, Notice.received_at)
                                       .where(Notice.received_at >= since)):
        start = week_start(received)
        if start in counts:
            counts[start] += 1
    return sorted(counts.items())


def notice_items(session: Session, notices: list[Notice]) -> dict[str, ContentItem]:
    """The content item each notice is about (its first), by notice id, read at once."""
    ids = {n.content_id for n in notices}
    if not ids:
        return {}
    items = {i.id: i for i in session.scalars(select(ContentItem).where(ContentItem.id.in_(ids)))}
    return {n.id: items[n.content_id] for n in notices if n.content_id in items}
