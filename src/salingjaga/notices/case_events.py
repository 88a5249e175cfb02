"""A notice follows its cases: moderation announces what happens to a case
(``moderation.events``) and these handlers write what it means for the notices that joined
it. They run in moderation's transaction (``events.announce`` is synchronous), so a notice
changes together with its case or not at all. ``subscribe`` registers them; it is called by
``salingjaga.wiring``.

What each event does to a notice:
- ``CaseClaimed``: a ``received`` notice goes ``in_review``;
- ``CaseDecided``: ``decided``, with the decision that stands for the notifier and when;
- ``CaseAppealed``: ``appealed``, and it joins the appeal case (so its decision reaches it);
- ``CaseReversed``: a notice whose decision was overturned points at the one that replaced it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, Table, bindparam, select, update
from sqlalchemy.orm import Session

from salingjaga.content.media import stored_relpath
from salingjaga.moderation import events
from salingjaga.moderation.events import CaseAppealed, CaseClaimed, CaseDecided, CaseReversed
from salingjaga.notices.models import Notice, NoticeCase, NoticeEvidence


def case_notices(session: Session, case_id: str) -> list[Notice]:
    """The notices that joined a case, oldest first."""
    return list(session.scalars(_OF_CASE, {"p_case": case_id}))


# Built once (read at every decision): building the expression cost more than running it.
_OF_CASE = (select(Notice).join(NoticeCase, NoticeCase.notice_id == Notice.id)
            .where(NoticeCase.case_id == bindparam("p_case")).order_by(Notice.received_at))


# On the tables, not the classes: a subquery on the class alone makes the UPDATE
# ORM-enabled, which costs the claim CPU on every execution; the session's Notice objects
# are expired instead (see ``on_claimed``).
_NOTICES = cast(Table, Notice.__table__)
_LINKS = cast(Table, NoticeCase.__table__)
_IN_REVIEW = (
    update(_NOTICES)
    .where(_NOTICES.c.status == "received",
           _NOTICES.c.id.in_(select(_LINKS.c.notice_id).where(_LINKS.c.case_id == bindparam("p_case"))))
    .values(status="in_review")
)
# The same, in the one-statement claim (``moderation.claim_statement``): ``taken`` holds the
# claimed case.
CLAIM_SQL = """  UPDATE notices SET status = 'in_review'
  WHERE status = 'received' AND id IN (
    SELECT notice_id FROM notice_cases WHERE case_id IN (SELECT id FROM taken))"""


def on_claimed(session: Session, event: CaseClaimed) -> None:
    """The case's received notices go in review."""
    changed = cast(CursorResult[Any], session.execute(_IN_REVIEW, {"p_case": event.case_id}))
    if not changed.rowcount:
        return  # no notice changed (a detection hit, or notices already in review)
    for held in [o for o in session.identity_map.values() if isinstance(o, Notice) and o.status == "received"]:
        session.expire(held, ["status"])  # a notice this session loaded reads its new status


def on_decided(session: Session, event: CaseDecided) -> None:
    """The case's notices are decided by the decision that stands (the decider's objects
    when it passed them along: they are ours, read through ``case_notices``)."""
    given = event.notices
    held = [n for n in given if isinstance(n, Notice)] if given is not None else None
    notices = held if held is not None and len(held) == len(given or ()) else case_notices(session, event.case_id)
    for notice in notices:
        notice.status = "decided"
        notice.decided_at = event.decided_at
        notice.decision_id = event.standing_decision_id
        notice.outcome = event.standing_action


def on_appealed(session: Session, event: CaseAppealed) -> None:
    """The case's notices are appealed and join the appeal case."""
    for notice in case_notices(session, event.case_id):
        notice.status = "appealed"
        session.add(NoticeCase(notice_id=notice.id, case_id=event.appeal_case_id, content_id=event.content_id))


def on_reversed(session: Session, event: CaseReversed) -> None:
    """Notices whose decision was overturned take the decision that replaced it."""
    reversed_ids = set(event.reversed_decision_ids)
    for notice in case_notices(session, event.case_id):
        if notice.decision_id in reversed_ids:
            notice.decision_id = event.decision_id
            notice.outcome = event.action


def evidence_files(session: Session, notice_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """The evidence files of several notices, for the moderator's case page."""
    out: dict[str, list[dict[str, Any]]] = {}
    for e in session.scalars(select(NoticeEvidence).where(NoticeEvidence.notice_id.in_(list(notice_ids)))
                             .order_by(NoticeEvidence.notice_id, NoticeEvidence.id)):
        out.setdefault(e.notice_id, []).append({
            "id": e.id, "filename": e.filename, "mime": e.mime, "size": e.size, "sha256": e.sha256,
            "path": stored_relpath("evidence", e.sha256)})
    return out


def subscribe() -> None:
    """Subscribe the notices to moderation's case events, and give moderation the reader of
    a case's notices."""
    events.subscribe(CaseClaimed, on_claimed, claim_sql=CLAIM_SQL)
    events.subscribe(CaseDecided, on_decided)
    events.subscribe(CaseAppealed, on_appealed)
    events.subscribe(CaseReversed, on_reversed)
    events.provide_case_notices(case_notices)
    events.provide_notice_evidence(evidence_files)
