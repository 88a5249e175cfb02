"""The queues as a person sees them: the rows of each visible queue and the filters of the
queue pages (policy, source, election, region, deadline). The console's tabs and the
moderator's home both read these, so a count on the home page is the number of rows the
page it links to lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from salingjaga.auth.principal import Principal
from salingjaga.content.models import ContentItem
from salingjaga.core.timeutil import utcnow
from salingjaga.moderation.models import Case
from salingjaga.moderation.queue import list_queue

QUEUE_LIMIT = 200

# The visible queues: the kind of case each lists and its page.
QUEUES = (("review", "/console"), ("second_review", "/console/second-review"), ("appeal", "/console/appeals"))

# Deadline filters: "overdue", or due within the hours named (and not overdue yet).
DUE_WITHIN = {"1h": 1, "4h": 4, "24h": 24}
DUE_CHOICES = ("overdue", *DUE_WITHIN)

Row = tuple[Case, ContentItem]


def queue_rows(session: Session, who: Principal, kind: str) -> list[Row]:
    """The open cases of one kind this person could claim, in claim order; the moderator
    who took a decision never sees its appeal or its second review offered."""
    return [(c, i) for c, i in list_queue(session, who, kind, QUEUE_LIMIT) if c.excluded_user_id != who.user_id]


def due_matches(deadline: datetime, due: str, now: datetime) -> bool:
    """Whether a deadline falls in a deadline filter (an unknown or empty filter: any)."""
    if due == "overdue":
        return deadline < now
    if due in DUE_WITHIN:
        return now <= deadline < now + timedelta(hours=DUE_WITHIN[due])
    return True


def filtered(rows: list[Row], params: Mapping[str, str], now: datetime | None = None) -> list[Row]:
    """Rows narrowed by the filters of the queue page (policy, source, election, region,
    deadline)."""
    policy, source = params.get("policy") or "", params.get("source") or ""
    election, region = params.get("election") or "", params.get("region") or ""
    due = params.get("due") or ""
    now = now or utcnow()
    return [(c, i) for c, i in rows
            if (not policy or c.policy == policy) and (not source or c.source == source)
            and (not election or i.election == election)
            and (not region or (i.region_code or "").startswith(region))
            and due_matches(c.deadline, due, now)]
