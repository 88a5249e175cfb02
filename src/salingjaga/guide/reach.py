"""Reach of the guide and its notice tags, counted per WIB day, election and region.

Privacy: the platform's user ids are never stored. A guide view is reduced to an HMAC of
the user id under a random salt for that day; the hash only dedupes visitors within the
day, and once the salt and hashes are purged nothing links back to a person. Unique
visitors are counted exactly as they arrive (a counter bumped when a hash is new), so the
purge loses no totals.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import Counter
from datetime import date, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, delete, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from salingjaga.content.models import ContentItem
from salingjaga.core.errors import Invalid
from salingjaga.guide.models import (
    DailySalt,
    EventBatch,
    ReachCounter,
    TagAssignment,
    VisitorHash,
)
from salingjaga.guide.schemas import EventIn, EventsResult
from salingjaga.guide.service import today_wib, wib_day
from salingjaga.regions.elections import all_elections
from salingjaga.regions.service import all_regions, province_of

MAX_BATCH = 5000
# Events older than this are refused: their day's salt may already be purged, and a
# re-created salt would count the same people twice.
MAX_EVENT_AGE_DAYS = 7
MIN_KEEP_DAYS = MAX_EVENT_AGE_DAYS + 1
MAX_RANGE_DAYS = 731
ALL = "*"
NONE = ""

METRIC_OF = {"tag_impression": "tag_impressions", "tag_click": "tag_clicks",
             "guide_view": "guide_views", "content_view": "tagged_item_views"}
METRICS = ("tagged_items", "tag_impressions", "tag_clicks", "tagged_item_views", "guide_views",
           "unique_visitors")


def _insert(session: Session, table: Any) -> Any:
    """An INSERT that knows ON CONFLICT on both backends."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def _salt(session: Session, day: date) -> bytes:
    stmt = _insert(session, DailySalt).values(day=day, salt=secrets.token_hex(32))
    session.execute(stmt.on_conflict_do_nothing(index_elements=["day"]))
    salt = session.scalar(select(DailySalt.salt).where(DailySalt.day == day))
    assert salt is not None
    return bytes.fromhex(salt)


def visitor_hash(salt: bytes, user: str) -> str:
    """The day's pseudonym of a user id: HMAC-SHA256 under the day's salt."""
    return hmac.new(salt, user.encode("utf-8"), hashlib.sha256).hexdigest()


def _unique_scopes(election: str, region: str | None) -> list[tuple[str, str]]:
    """Where one guide view counts a visitor: the election overall, every election
    together, and the region and its province when given."""
    scopes = [(election, ALL), (ALL, ALL)]
    if region:
        scopes.append((election, region))
        if "." in region:
            scopes.append((election, province_of(region)))
    return scopes


def _tag_lookup(session: Session, ids: set[str]) -> dict[str, TagAssignment]:
    """Active tag assignments of the items named (by our id or the platform's)."""
    if not ids:
        return {}
    # By our id, then by the platform's for the rest: two index look-ups (an OR of the two
    # lists would scan the content table).
    joined = (select(TagAssignment, ContentItem.id, ContentItem.platform_id)
              .join(ContentItem, ContentItem.id == TagAssignment.content_id)
              .where(TagAssignment.removed_at.is_(None)))
    out: dict[str, TagAssignment] = {}
    rows = list(session.execute(joined.where(ContentItem.id.in_(ids))).all())
    found = {cid for _a, cid, _p in rows} | {pid for _a, _c, pid in rows}
    rest = ids - found
    if rest:
        rows += session.execute(joined.where(ContentItem.platform_id.in_(rest))).all()
    for assignment, cid, pid in rows:
        out[cid] = assignment
        out[pid] = assignment
    return out


def _validate(events: list[EventIn]) -> None:
    elections = all_elections()
    regions = all_regions()
    problems = []
    for i, e in enumerate(events):
        if e.election is not None and e.election not in elections:
            problems.append({"index": i, "field": "election",
                             "message": f"unknown election {e.election!r}"})
        if e.region is not None and e.region not in regions:
            problems.append({"index": i, "field": "region",
                             "message": f"unknown region code {e.region!r}"})
        if e.type == "guide_view" and e.election is None:
            problems.append({"index": i, "field": "election",
                             "message": "a guide_view names the election whose guide was seen"})
        if e.type == "content_view" and e.content_id is None:
            problems.append({"index": i, "field": "content_id",
                             "message": "a content_view names the content item"})
    if problems:
        raise Invalid(f"{len(problems)} event(s) are invalid; nothing was counted: "
                      + "; ".join(f"[{p['index']}] {p['field']}: {p['message']}"
                                  for p in problems[:5]), details=problems)


def _count_visitors(session: Session, day: date, seen: list[tuple[str, str | None, str]],
                    counts: Counter[tuple[date, str, str, str]]) -> None:
    """Count the visitors of one day's guide views who are new in each scope: their
    hashes go in with ``INSERT .. ON CONFLICT DO NOTHING RETURNING``, which returns only
    the rows that were new (both backends), executed for the whole batch at once."""
    salt = _salt(session, day)
    rows: dict[tuple[str, str, str], None] = {}
    for election, region, user in seen:
        digest = visitor_hash(salt, user)
        for scope_election, scope_region in _unique_scopes(election, region):
            rows[(scope_election, scope_region, digest)] = None
    if not rows:
        return
    table = cast(Table, VisitorHash.__table__)
    stmt = _insert(session, table).on_conflict_do_nothing().returning(table.c.election, table.c.region)
    # executemany with RETURNING: sent as multi-row statements ("insertmanyvalues"); only
    # the rows that were new come back.
    result = session.execute(stmt, [{"day": day, "election": e, "region": r, "user_hash": h} for e, r, h in rows])
    for scope_election, scope_region in result:
        counts[(day, scope_election, scope_region, "unique_visitors")] += 1


def record_events(session: Session, events: list[EventIn], idempotency_key: str | None = None
                  ) -> EventsResult:
    """Count a batch of events from the app, all or nothing; a batch resent under the same
    ``Idempotency-Key`` is answered again without counting twice."""
    if len(events) > MAX_BATCH:
        raise Invalid(f"a batch holds at most {MAX_BATCH} events; got {len(events)}",
                      status=413, code="payload_too_large")
    if idempotency_key:
        done = session.get(EventBatch, idempotency_key)
        if done is not None:
            return EventsResult.model_validate({**done.result, "replayed": True})
    _validate(events)
    today = today_wib()
    tags = _tag_lookup(session, {e.content_id for e in events if e.content_id})
    counts: Counter[tuple[date, str, str, str]] = Counter()
    visitors: dict[date, list[tuple[str, str | None, str]]] = {}
    ignored: list[dict[str, Any]] = []
    for i, e in enumerate(events):
        day = wib_day(e.at)
        if day < today - timedelta(days=MAX_EVENT_AGE_DAYS) or day > today + timedelta(days=1):
            ignored.append({"index": i, "reason": f"'at' is not within the last "
                                                  f"{MAX_EVENT_AGE_DAYS} days"})
            continue
        tag = tags.get(e.content_id or "")
        if e.type == "content_view" and tag is None:
            ignored.append({"index": i, "reason": "the content item carries no notice tag"})
            continue
        election = e.election or (tag.election if tag else None)
        if election is None:
            ignored.append({"index": i, "reason": "no election: name one or send a tagged "
                                                  "content_id"})
            continue
        region = e.region or (tag.region_code if tag else None)
        counts[(day, election, region or NONE, METRIC_OF[e.type])] += 1
        if e.type == "guide_view":
            visitors.setdefault(day, []).append((election, region, e.user))
    for day, seen in sorted(visitors.items()):
        _count_visitors(session, day, seen, counts)
    if counts:
        # One upsert executed for every key (the keys are distinct, counted above): the driver
        # sends them as multi-row statements with one compiled form.
        table = cast(Table, ReachCounter.__table__)
        stmt = _insert(session, table)
        session.execute(stmt.on_conflict_do_update(
            index_elements=["day", "election", "region", "metric"],
            set_={"count": table.c.count + stmt.excluded.count}), [
            {"day": day, "election": election, "region": region, "metric": metric, "count": n}
            for (day, election, region, metric), n in sorted(counts.items())])
    result = EventsResult(received=len(events), counted=len(events) - len(ignored),
                          ignored=ignored)
    if idempotency_key:
        session.add(EventBatch(key=idempotency_key, result=result.model_dump(mode="json")))
        session.flush()
    return result


def _region_filter(column: Any, region: str | None) -> Any:
    if region is None:
        return None
    if "." in region:
        return column == region
    return or_(column == region, column.like(region + ".%"))


def reach_summary(session: Session, start: date, end: date, election: str | None = None,
                  region: str | None = None) -> dict[str, Any]:
    """Totals and per-day figures of guide reach between two WIB days (inclusive).

    ``unique_visitors`` per day is exact; the total is the sum of daily uniques (visitor
    days), because hashes are salted per day and cannot be linked across days by design.
    A region filter includes the regencies/cities of a province.
    """
    if end < start:
        raise Invalid("'to' is before 'from'")
    if (end - start).days > MAX_RANGE_DAYS:
        raise Invalid(f"a period spans at most {MAX_RANGE_DAYS} days")
    if election is not None and election not in all_elections():
        raise Invalid(f"unknown election {election!r}")
    if region is not None and region not in all_regions():
        raise Invalid(f"unknown region code {region!r}")
    by_day: dict[date, dict[str, int]] = {}

    def bump(day: date, metric: str, n: int) -> None:
        by_day.setdefault(day, dict.fromkeys(METRICS, 0))[metric] += int(n)

    counts = (
        select(ReachCounter.day, ReachCounter.metric, func.sum(ReachCounter.count))
        .where(ReachCounter.day >= start, ReachCounter.day <= end,
               ReachCounter.metric != "unique_visitors", ReachCounter.election != ALL,
               ReachCounter.region != ALL)
        .group_by(ReachCounter.day, ReachCounter.metric))
    if election is not None:
        counts = counts.where(ReachCounter.election == election)
    if region is not None:
        counts = counts.where(_region_filter(ReachCounter.region, region))
    for day, metric, n in session.execute(counts).all():
        bump(day, metric, n)
    uniques = (select(ReachCounter.day, ReachCounter.count)
               .where(ReachCounter.day >= start, ReachCounter.day <= end,
                      ReachCounter.metric == "unique_visitors",
                      ReachCounter.election == (election or ALL),
                      ReachCounter.region == (region or ALL)))
    for day, n in session.execute(uniques).all():
        bump(day, "unique_visitors", n)
    tagged = (select(TagAssignment.day, func.count())
              .where(and_(TagAssignment.day >= start, TagAssignment.day <= end,
                          TagAssignment.removed_at.is_(None)))
              .group_by(TagAssignment.day))
    if election is not None:
        tagged = tagged.where(TagAssignment.election == election)
    if region is not None:
        tagged = tagged.where(_region_filter(TagAssignment.region_code, region))
    for day, n in session.execute(tagged).all():
        bump(day, "tagged_items", n)
    totals = dict.fromkeys(METRICS, 0)
    for values in by_day.values():
        for metric, n in values.items():
            totals[metric] += n
    return {
        "from": start.isoformat(), "to": end.isoformat(), "election": election, "region": region,
        "totals": totals,
        "by_day": [{"day": d.isoformat(), **v} for d, v in sorted(by_day.items())],
        "notes": {"unique_visitors": "exact per day; the total sums the days, since visitor "
                                     "hashes are salted per day and never linked across days",
                  "days": "calendar days in WIB (UTC+7)"},
    }


def purge(session: Session, keep_days: int) -> dict[str, Any]:
    """Delete salts and visitor hashes of days older than ``keep_days``; counts stay."""
    if keep_days < MIN_KEEP_DAYS:
        raise Invalid(f"keep at least {MIN_KEEP_DAYS} days: events up to {MAX_EVENT_AGE_DAYS} "
                      "days old are still accepted and need their day's salt")
    cutoff = today_wib() - timedelta(days=keep_days)
    hashes = session.execute(delete(VisitorHash).where(VisitorHash.day < cutoff))
    salts = session.execute(delete(DailySalt).where(DailySalt.day < cutoff))
    return {"hashes": int(getattr(hashes, "rowcount", 0) or 0),
            "salts": int(getattr(salts, "rowcount", 0) or 0), "before": cutoff.isoformat()}
