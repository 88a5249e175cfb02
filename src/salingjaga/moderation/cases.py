"""Opening and reading review cases: a content item has at most one open review case,
which every new reason to review it joins (raising its priority when more urgent).

The case levels and which roles work at them are here too, since the queue, decisions
and appeals all check them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session

from salingjaga.audit.service import record, record_many
from salingjaga.auth.principal import Principal
from salingjaga.content.models import ContentItem
from salingjaga.content.service import contents_by_reference
from salingjaga.core.bulk import attach_written, insert_rows, null_columns
from salingjaga.core.errors import Conflict, Forbidden, Invalid, NotFound
from salingjaga.core.ids import new_id
from salingjaga.core.settings import Settings
from salingjaga.core.timeutil import WIB, utcnow
from salingjaga.moderation.events import CaseNotice, CaseOpened, announce, notices_of_case
from salingjaga.moderation.models import Case
from salingjaga.moderation.priority import SOURCES, compute_deadline, compute_priority, source_rank
from salingjaga.policies.service import get_policy
from salingjaga.regions.elections import is_tight_day

OPEN_STATUSES = ("open", "leased", "on_hold", "escalated")
LEVELS = ("moderator", "senior_moderator", "policy_lead")
# Which case levels each role may claim and decide.
ROLE_LEVELS = {
    "moderator": ("moderator",),
    "senior_moderator": ("moderator", "senior_moderator"),
    "policy_lead": ("moderator", "senior_moderator", "policy_lead"),
}


_installed: ContextVar[Settings | None] = ContextVar("moderation_settings", default=None)


def settings_or_env(settings: Settings | None) -> Settings:
    """``settings``, else those installed with ``use_settings``, else the settings the
    environment gives."""
    # Callers in other domains (detection, rules) do not pass settings; the environment
    # then gives the same deadlines the running app was configured with. A simulation
    # installs its scenario's settings so those callers take its deadlines.
    if settings is not None:
        return settings
    return _installed.get() or Settings()


@contextmanager
def use_settings(settings: Settings) -> Iterator[Settings]:
    """Make ``settings`` what case opening uses when its caller passes none (in this
    thread or task, inside the block)."""
    token = _installed.set(settings)
    try:
        yield settings
    finally:
        _installed.reset(token)


def is_tight(item: ContentItem) -> bool:
    """Whether a case about ``item`` gets the short (quiet period, voting day) deadline."""
    # Tight when today is a quiet/voting day in the content's region, or when the content was
    # posted on one (quiet-period campaigning stays urgent whenever it is reported).
    today = utcnow().astimezone(WIB).date()
    posted = item.posted_at.astimezone(WIB).date()
    return is_tight_day(today, item.region_code) or is_tight_day(posted, item.region_code)


def policy_severity(policy: str) -> int:
    """The severity (1..5) of a policy, which weighs in a case's priority."""
    return get_policy(policy).severity


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


# Built once (read at every case opened): building the expression cost more than running it.
_OPEN_OF_ITEMS = select(Case).where(Case.open_content_id.in_(bindparam("p_items", expanding=True)))


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
            raise Invalid(f"unknown case source {r.source!r}; valid: {', '.join(SOURCES)}",
                          reason="case.unknown_source")
    items = contents_by_reference(session, [r.content_id for r in requests])
    for r in requests:
        if r.content_id not in items:
            raise NotFound(f"content {r.content_id} not found", reason="content.unknown_id",
                           params={"ref": r.content_id})
    open_by_item: dict[str, Case] = {}
    ids = list({items[r.content_id].id for r in requests})
    if ids:
        open_by_item = {c.open_content_id or "": c for c in session.scalars(_OPEN_OF_ITEMS, {"p_items": ids})}
    cfg = settings_or_env(settings)
    now = utcnow()
    planned: dict[str, tuple[int, dict[str, Any], Principal | str]] = {}  # item id -> (request, row, actor)
    priorities: list[int] = []
    for index, r in enumerate(requests):
        item = items[r.content_id]
        tight = is_tight(item)
        priority = compute_priority(r.source, policy_severity(r.policy), item.views, item.shares, tight,
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
    for item_id in opened:
        row = planned[item_id][1]
        announce(session, CaseOpened(case_id=row["id"], content_id=item_id, policy=row["policy"],
                                     source=row["source"]))
    if lost:
        # Another transaction opened these items' cases first: join those instead.
        for case in session.scalars(select(Case).where(Case.open_content_id.in_(lost))):
            open_by_item[case.open_content_id or ""] = case
        missing = [i for i in lost if i not in open_by_item]
        if missing:
            raise Conflict(f"the open case of content {missing[0]} changed while joining it; retry",
                           reason="case.changed")
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
        cfg = settings_or_env(settings)
        sooner = compute_deadline(case.created_at, False, cfg.deadline_hours_default, cfg.deadline_hours_tight)
        case.deadline = min(case.deadline, sooner)
    record(session, actor, "case.joined", "case", case.id, changes)
    return case


def get_case(session: Session, case_id: str) -> Case:
    """A case, or 404."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"case {case_id} not found", reason="case.unknown", params={"ref": case_id})
    return case


def levels_for(who: Principal) -> tuple[str, ...]:
    """The case levels ``who`` may claim and decide, lowest first (403 for other roles)."""
    levels = ROLE_LEVELS.get(who.role)
    if not levels:
        raise Forbidden(f"role {who.role} does not review cases", reason="case.not_reviewer", params={"role": who.role})
    return levels


def case_notices(session: Session, case_id: str) -> list[CaseNotice]:
    """The notices that joined a case, oldest first (read through the notices domain's
    reader, ``events.provide_case_notices``)."""
    return notices_of_case(session, case_id)


SignalsReader = Callable[[Session, str], list[dict[str, Any]]]
_signals_reader: list[SignalsReader] = []


def provide_case_signals(reader: SignalsReader) -> None:
    """Set the reader of a content item's detection signals (detection's, at wiring):
    detection sits above moderation, so moderation never imports it."""
    _signals_reader[:] = [reader]


def case_signals(session: Session, content_id: str) -> list[dict[str, Any]]:
    """Detection signals for the content (none when no reader was provided)."""
    return _signals_reader[0](session, content_id) if _signals_reader else []
